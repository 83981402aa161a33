"""Stale outputs (`notebook.outputs-fresh`): do the outputs saved in the submitted notebook, and
the answers.json submitted beside it, agree with a fresh run of that notebook on the same data?

A notebook edited after its last run, or last run on an older export, shows numbers its code
no longer computes; a reviewer reading it would be misled. Saved and fresh outputs are compared
cell by cell where they have the same shape (the same text once numbers are set aside), so a
different library version's formatting is not taken for a disagreement; timings, memory
addresses, memory usage and version numbers are ignored. The submitted answers.json (never
handed to the run) is compared answer by answer with the one the fresh run wrote.
"""

from __future__ import annotations

import math
import re
from typing import Any

from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers, read_answers
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.judging import cell_name

_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
_VOLATILE = re.compile(r"CPU times|Wall time|per loop|it/s|0x[0-9a-fA-F]{6,}|\d\d:\d\d:\d\d|"
                       r"elapsed|took \d|memory usage|\b\d+\.\d+\.\d+", re.IGNORECASE)
_TIMING_MAGIC = re.compile(r"^\s*%%?(time|timeit|prun)\b", re.MULTILINE)
TEXT_CAP = 20_000


def output_text(cell: Any) -> str:
    """What a code cell showed as text: results, displays and stdout (not errors, images)."""
    parts = []
    for out in cell.get("outputs", []) or []:
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stdout":
            text = out.get("text", "")
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") or {}
            if any(str(mime).startswith("image/") for mime in data):
                continue  # a figure: its text is only "<Figure size ...>"
            text = data.get("text/plain", "")
        else:
            continue
        parts.append("".join(text) if isinstance(text, list) else str(text))
    return "\n".join(parts)[:TEXT_CAP]


def _shape(text: str) -> tuple[str, list[str]]:
    return _NUMBER.sub("#", text), _NUMBER.findall(text)


def _value(token: str) -> float:
    return float(token.replace(",", ""))


def fmt(value: Any) -> str:
    """A number as a reader writes it: 48,794.07; 0.1455; 1,250."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "null"
    if not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        return f"{int(value):,}"
    text = repr(float(value))
    if "e" in text:
        return text
    return f"{value:,.{min(len(text.split('.')[1]), 6)}f}"


def _differ(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return any(_differ(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
            a, bool) and not isinstance(b, bool):
        return not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() != b.strip().casefold()
    return bool(a != b)


def _answer_differences(saved: Answers, fresh: Answers) -> list[str]:
    found = []
    for question in list(saved.values)[:50]:
        old, new = saved.values[question], fresh.values.get(question)
        if question not in fresh.values:
            found.append(f"answers.json says {question} = {fmt(old)}; the notebook does not "
                         "record it")
        elif isinstance(old, dict) and isinstance(new, dict):
            found += [f"answers.json says {question}.{k} = {fmt(old.get(k))}; the notebook "
                      f"computes {fmt(new.get(k))}" for k in list(old)[:10]
                      if _differ(old.get(k), new.get(k))]
        elif _differ(old, new):
            found.append(f"answers.json says {question} = {fmt(old)}; the notebook computes "
                         f"{fmt(new)}")
    return found


def _output_differences(saved_nb: Any, fresh: NotebookRun) -> tuple[int, list[str]]:
    """(cells compared, disagreements) between saved and freshly computed outputs."""
    fresh_cells = fresh.executed.cells if fresh.executed is not None else []
    ok = {c["index"] for c in fresh.cells if c["status"] == "ok"}
    compared, found = 0, []
    for index, cell in enumerate(saved_nb.get("cells", [])):
        if cell.get("cell_type") != "code" or index >= len(fresh_cells) or index not in ok:
            continue
        source = cell.get("source", "")
        saved, new = output_text(cell), output_text(fresh_cells[index])
        if not saved.strip() or not new.strip() or _TIMING_MAGIC.search(
                "".join(source) if isinstance(source, list) else str(source)) \
                or _VOLATILE.search(saved) or _VOLATILE.search(new):
            continue
        (shape_a, old), (shape_b, now) = _shape(saved), _shape(new)
        if shape_a != shape_b:
            continue
        compared += 1
        pairs = [(a, b) for a, b in zip(old, now, strict=True)
                 if not math.isclose(_value(a), _value(b), rel_tol=1e-9, abs_tol=1e-12)]
        if pairs:
            a, b = pairs[0]
            more = f" (and {len(pairs) - 1} more number(s))" if len(pairs) > 1 else ""
            found.append(f"{cell_name(index, fresh)}: the saved outputs say {fmt(_value(a))}; "
                         f"the notebook computes {fmt(_value(b))}{more}")
    return compared, found


def stale_check(saved_nb: Any, fresh: NotebookRun, submitted_answers: bytes | None,
                fresh_answers: Answers, answers_file: str,
                version_unknown: str | None = None) -> CheckResult:
    """notebook.outputs-fresh; not run (worth nothing) when the kit the notebook was written
    on is unknown: its outputs may come from other data than this run's, through no fault of
    the candidate (grader/version_store.py)."""
    title = "Saved outputs and answers agree with a fresh run"
    if version_unknown:
        return CheckResult.not_run(
            "notebook.outputs-fresh", f"{version_unknown}, so the outputs saved in the "
            "notebook may come from other data than this run's; they are not compared",
            max_points=0, title=title)
    compared, found = _output_differences(saved_nb, fresh)
    saved_answers = read_answers(submitted_answers) if submitted_answers is not None else None
    answers_compared = bool(saved_answers and saved_answers.present and fresh_answers.present)
    in_answers = (_answer_differences(saved_answers, fresh_answers)
                  if answers_compared and saved_answers is not None else [])
    evidence = {"cells_compared": compared, "answers_compared": answers_compared,
                "differences": (found + in_answers)[:20]}
    if found or in_answers:
        said = found[:2] + in_answers[:1]
        more = len(found) + len(in_answers) - len(said)
        return CheckResult.failed(
            "notebook.outputs-fresh", "the submitted notebook does not match a fresh run on "
            f"the same data: {'; '.join(said)}" + (f" (+{more} more)" if more else ""),
            title=title, evidence=evidence)
    if not compared and not answers_compared:
        return CheckResult.unverified(
            "notebook.outputs-fresh", "nothing to compare: the notebook was saved without "
            f"comparable outputs and no {answers_file} came with it", title=title,
            evidence=evidence)
    what = [f"{compared} cell output(s)"] if compared else []
    what += [answers_file] if answers_compared else []
    return CheckResult.passed("notebook.outputs-fresh", f"{' and '.join(what)} agree with a "
                              "fresh run on the same data", title=title, evidence=evidence)
