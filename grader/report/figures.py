"""The key figures of a report (holdout AUC, latency, training time, ...): the `figures` the
tracks put on their checks, in check order, formatted for reading. Renderings show them above
the criteria; no rendering knows what a track measures."""

from __future__ import annotations

from grader.report.model import Report
from grader.text import number


def format_figure(value: float | str) -> str:
    """A figure as text: integers with thousands separators from 10,000, others with 4
    significant digits (0.8312, 12.5, 1,234.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    text = number(value, digits=4)
    if abs(value) >= 10_000:
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text


def key_figures(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs from every check's `figures`, first occurrence of a label wins."""
    seen: dict[str, str] = {}
    for check in report.checks:
        for label, value in check.figures.items():
            seen.setdefault(label, format_figure(value))
    return list(seen.items())
