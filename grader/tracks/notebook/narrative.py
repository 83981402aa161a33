"""The markdown narrative under each question (`narrative.per-question`), graded.

Each question earns the share of `narrative.min_words` words written under its heading (the
heading and the kit's placeholder do not count), halved when the narrative quotes a number
that contradicts the answer the notebook recorded: for each recorded number, the figures of
the narrative within 25 % of it are "about" it, and none of them matches it at the precision
it is written with ("48.8k", "15.4 %", "1.7 percentage points", "p = 0.15"). A narrative that
quotes no figure is not penalised; years, the usual significance and confidence levels, and
figures far from every answer are ignored.
"""

from __future__ import annotations

import math
import re
from typing import Any

from grader.analysis import notebook_facts as nbf
from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers
from grader.tracks.notebook.config import NotebookConfig
from grader.tracks.notebook.stale import fmt

_FIGURE = re.compile(r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?:\s?(?P<unit>%|percent\b|pp\b|percentage points?\b|[kK]\b|thousand\b|"
                     r"M\b|million\b))?")
_SCALE = {"%": 0.01, "percent": 0.01, "pp": 0.01, "percentage point": 0.01,
          "percentage points": 0.01, "k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6,
          "million": 1e6}
_LEVELS = {0.05, 0.01, 0.1, 0.9, 0.95, 0.99, 0.001}
ABOUT = 0.25


def figures(text: str) -> list[tuple[float, float, str]]:
    """(value, half its last shown unit, as written) of each figure in `text`."""
    text = re.sub(r"```[\s\S]*?```", " ", text)
    found = []
    for m in _FIGURE.finditer(text):
        raw, unit = m["num"], m["unit"] or ""
        digits = raw.replace(",", "")
        value = float(digits)
        if not unit and "." not in raw and "," not in raw and 1900 <= value <= 2100:
            continue  # a year
        if "." in digits:
            resolution = 0.5 * 10 ** -len(digits.split(".")[1])
        else:
            zeros = len(digits) - len(digits.rstrip("0")) if value else 0
            resolution = 0.5 * 10 ** zeros
        scale = _SCALE.get(unit, 1.0)
        value, resolution = value * scale, resolution * scale
        if any(math.isclose(value, level) for level in _LEVELS) and unit in ("", "%"):
            continue  # a significance or confidence level
        found.append((value, resolution, m.group(0)))
    return found


def _numbers(value: Any, prefix: str) -> list[tuple[str, float]]:
    if isinstance(value, dict):
        return [item for k, v in list(value.items())[:20]
                for item in _numbers(v, f"{prefix}.{k}")]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or value == 0:
        return []
    return [(prefix, float(value))]


def contradictions(text: str, recorded: Any, question: str) -> list[str]:
    """What the narrative says against the recorded answer(s) of `question`."""
    quoted = figures(text)
    found = []
    for name, answer in _numbers(recorded, question):
        about = [f for f in quoted if abs(f[0] - answer) <= ABOUT * abs(answer)]
        if about and not any(abs(v - answer) <= r + 0.005 * abs(answer) for v, r, _ in about):
            said = min(about, key=lambda f: abs(f[0] - answer))[2]
            found.append(f"the narrative under {question} says {said} where the recorded "
                         f"{name} is {fmt(answer)}")
    return found


def narrative_check(cfg: NotebookConfig, sections: dict[str, list[nbf.Cell]],
                    answers: Answers | None) -> CheckResult:
    qs, min_words = cfg.questions, cfg.narrative.min_words
    words, shares, problems = {}, [], []
    for q in qs:
        if q.id not in sections:
            shares.append(0.0)
            continue
        words[q.id] = nbf.narrative_words(sections[q.id], cfg.narrative.placeholders)
        share = min(1.0, words[q.id] / min_words)
        if answers is not None and answers.present and q.id in answers.values:
            text = "\n".join(c.source for c in sections[q.id][1:] if c.kind == "markdown")
            for placeholder in cfg.narrative.placeholders:
                text = text.replace(placeholder, " ")
            found = contradictions(text, answers.values[q.id], q.id)
            if found:
                problems += found
                share *= 0.5
        shares.append(share)
    written = [q for q, n in words.items() if n >= min_words]
    missing = [q.id for q in qs if q.id not in sections]
    message = (f"{len(written)} of {len(qs)} question(s) have at least {min_words} words of "
               "markdown narrative: " + ", ".join(f"{q} {n}" for q, n in words.items()))
    if missing:
        message += f"; heading not found for {', '.join(missing)}"
    if problems:
        message += "; " + "; ".join(problems[:4])
    points = sum(shares) / len(qs)
    return CheckResult(
        id="narrative.per-question", status="passed" if points >= 1 - 1e-9 else "failed",
        points=points, title="Markdown narrative per question", kind="static",
        message=message, evidence={"words": words, "min_words": min_words,
                                   "contradictions": problems[:10]})
