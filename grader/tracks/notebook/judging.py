"""Judging an executed notebook on the host: did it run top to bottom (on the public data and
the hidden variant) and within its budget, is answers.json in the documented format, is each
answer right on both datasets (a value unchanged on a variant whose answer differs is
hard-coded; a wrong value equal to a known mistake's is named), and which cleaning steps the
answers show."""

from __future__ import annotations

from typing import Any

from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers, Verdict, judge, questions, show
from grader.tracks.notebook.config import Cleaning
from grader.tracks.notebook.execute import NotebookRun

_TRACEBACK_CHARS = 3000


def runs_clean(check_id: str, title: str, run: NotebookRun, cell_timeout: float,
                weight: float) -> CheckResult:
    """Passed when every code cell ran; otherwise half of the share of cells that ran
    (a notebook that does not run top to bottom is a real problem, but what ran counts)."""
    cells = run.cells
    if not cells:
        why = run.error or "; ".join(run.problems) or "nothing ran"
        return CheckResult.failed(check_id, f"no cell result came back: {why}",
                                  title=title, max_points=weight,
                                  evidence=_run_evidence(run))
    ok = sum(1 for c in cells if c["status"] == "ok")
    failed = [c for c in cells if c["status"] != "ok"]
    if not failed and run.completed:
        return CheckResult.passed(check_id, f"all {len(cells)} code cells ran without "
                                  "error", title=title, max_points=weight,
                                  evidence=_run_evidence(run))
    described = []
    for c in failed[:5]:
        if c["status"] == "not-run":
            described.append(f"cell {c['index'] + 1} did not run")
        elif c["status"] == "timeout":
            described.append(f"cell {c['index'] + 1} ran past the {cell_timeout:g} s "
                             "per-cell timeout and was stopped")
        else:
            described.append(f"cell {c['index'] + 1} raised {c.get('ename', '')}: "
                             f"{c.get('evalue', '')[:200]}")
    more = f" (+{len(failed) - 5} more)" if len(failed) > 5 else ""
    stop = f"; {run.error}" if run.error else ""
    return CheckResult(
        id=check_id, status="failed", points=weight * 0.5 * ok / len(cells),
        max_points=weight, title=title,
        message=f"{ok} of {len(cells)} code cells ran cleanly; " + "; ".join(described)
        + more + stop, evidence=_run_evidence(run))

def runtime_check(run: NotebookRun, budget: float) -> CheckResult:
    title = f"Runs within {budget:g} s"
    seconds = run.seconds if run.seconds is not None else run.run.seconds
    evidence = {"seconds": round(seconds, 2), "budget_seconds": budget}
    if run.run.outcome != "exited":
        return CheckResult.failed("notebook.runtime", f"did not finish: {run.error}",
                                  title=title, evidence=evidence)
    if seconds > budget:
        return CheckResult.failed("notebook.runtime", f"took {seconds:.1f} s, over the "
                                  f"{budget:g} s budget", title=title, evidence=evidence)
    return CheckResult.passed("notebook.runtime", f"ran in {seconds:.1f} s", title=title,
                              evidence=evidence)

def answers_format(key: dict[str, Any], answers: Answers) -> CheckResult:
    title = "answers.json written in the documented format"
    if not answers.present:
        return CheckResult.failed("answers.format", "; ".join(answers.problems),
                                  title=title)
    # Unanswered questions cost their answer checks, not this one: here, the types.
    verdicts = [v for v in judge(key, answers) if not v.missing]
    unanswered = [q for q in questions(key) if q not in answers.values]
    bad = [v for v in verdicts if v.note and not v.correct]
    extra = sorted(set(answers.values) - set(questions(key)))
    evidence = {"answers": {k: answers.values[k] for k in list(answers.values)[:50]}}
    notes = (f"; unknown keys ignored: {', '.join(extra[:5])}" if extra else "") + (
        f"; unanswered: {', '.join(unanswered)}" if unanswered else "")
    if not verdicts:
        return CheckResult.failed("answers.format", "answers.json holds no answer to any "
                                  "question" + notes, title=title, evidence=evidence)
    if bad:
        return CheckResult(
            id="answers.format", status="failed", points=1 - len(bad) / len(verdicts),
            title=title, evidence=evidence,
            message="; ".join(v.describe() for v in bad[:6]) + notes)
    return CheckResult.passed(
        "answers.format", f"{len(verdicts)} answer(s) with the documented types" + notes,
        title=title, evidence=evidence)

def answer_check(public: Verdict, variant: Verdict | None, public_run: NotebookRun,
                  variant_run: NotebookRun, variant_answers: Answers,
                  mistakes: dict[str, str]) -> CheckResult:
    cid, title = f"answer.{public.id}", f"Answer: {public.id}"
    evidence: dict[str, Any] = {
        "public": {"given": public.given, "expected": public.expected},
        "variant": None if variant is None else {"given": variant.given,
                                                 "expected": variant.expected}}
    if not public.correct:
        text = public.describe()
        if public.mistakes:
            says = "; ".join(mistakes.get(m, m) for m in public.mistakes)
            text += f": that is the answer you get when {says}"
            evidence["mistakes"] = list(public.mistakes)
        if public.missing:
            text += _why_missing(public_run)
        return CheckResult.failed(cid, text, title=title, evidence=evidence)
    if variant is None or variant.correct:
        return CheckResult.passed(cid, public.describe() + "; right on the hidden variant "
                                  "too", title=title, evidence=evidence)
    same_key = _same(variant.expected, public.expected)
    if same_key:
        return CheckResult.passed(cid, public.describe() + " (the hidden variant has the "
                                  "same answer, so it cannot confirm it)", title=title,
                                  evidence=evidence)
    if not variant.missing and _same(variant.given, public.given):
        return CheckResult.failed(
            cid, f"hard-coded: {public.id} = {public.given!r} on the public data and the "
            f"same on the hidden variant, whose answer is {variant.expected!r}",
            title=title, evidence=evidence)
    if variant.missing:
        why = ("; ".join(variant_answers.problems) if not variant_answers.present else
               "no answer") + _why_missing(variant_run)
        return CheckResult.failed(
            cid, f"right on the public data ({public.given!r}) but not answered on the "
            f"hidden variant: {why}", points=0.5, title=title, evidence=evidence)
    return CheckResult.failed(
        cid, f"right on the public data ({public.given!r}) but wrong on the hidden variant "
        f"({variant.describe()}): the method does not carry over to new data",
        points=0.5, title=title, evidence=evidence)

def hard_coded_check(public: list[Verdict], variant: dict[str, Verdict]) -> CheckResult:
    title = "Answers are computed, not hard-coded"
    same = [v.id for v in public if v.correct and v.id in variant
            and not variant[v.id].correct and not variant[v.id].missing
            and not _same(variant[v.id].expected, v.expected)
            and _same(variant[v.id].given, v.given)]
    checked = [v.id for v in public if v.correct and v.id in variant
               and not _same(variant[v.id].expected, v.expected)]
    if same:
        return CheckResult.failed(
            "answers.not-hard-coded", f"{len(same)} answer(s) stayed the same on a hidden "
            f"variant of the dataset whose answers differ: {', '.join(same)}", title=title,
            evidence={"same": same})
    if not checked:
        return CheckResult.skipped("answers.not-hard-coded", "no right answer on the "
                                   "public data to test on the variant", title=title)
    return CheckResult.passed(
        "answers.not-hard-coded", f"{len(checked)} right answer(s) followed the data to "
        "the hidden variant", title=title)

def cleaning_checks(cleaning: list[Cleaning], verdicts: list[Verdict],
                    answer_checks: dict[str, CheckResult],
                    mistakes: dict[str, str]) -> list[CheckResult]:
    """cleaning.<id>: failed when an answer shows a mistake that skipping the step gives,
    passed when every answer that depends on it is right."""
    out = []
    for item in cleaning:
        cid = f"cleaning.{item.id}"
        title = item.title or item.id
        names, qs = set(item.mistakes), set(item.questions)
        mine = [v for v in verdicts if v.question in qs]
        shown = [v for v in mine if set(v.mistakes) & names]
        if shown:
            says = "; ".join(sorted({mistakes.get(m, m) for v in shown
                                     for m in set(v.mistakes) & names}))
            given = "; ".join(f"{v.id} = {show(v.given)} instead of {show(v.expected)}"
                              for v in shown[:3])
            out.append(CheckResult.failed(
                cid, f"{says}: {given}, exactly what that gives", title=title,
                evidence={"answers": [v.id for v in shown]}))
            continue
        right = [v for v in mine if answer_checks[f"answer.{v.id}"].status == "passed"]
        if mine and all(v.missing for v in mine):
            out.append(CheckResult.not_run(
                cid, f"none of the answers that show it was given ({', '.join(sorted(qs))})",
                blocked_by=f"answer.{mine[0].id}", title=title))
        elif mine and len(right) == len(mine):
            out.append(CheckResult.passed(
                cid, f"shown by the right answers to {', '.join(sorted(qs))}", title=title))
        else:
            out.append(CheckResult.failed(
                cid, f"not shown: {len(right)} of {len(mine)} answer(s) that depend on it "
                "are right", points=len(right) / len(mine) if mine else 0.0, title=title))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
            a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def _why_missing(run: NotebookRun) -> str:
    failed = run.failed_cells
    if failed:
        c = failed[0]
        if c["status"] == "timeout":
            return f" (cell {c['index'] + 1} was stopped at the per-cell timeout)"
        return (f" (cell {c['index'] + 1} failed: {c.get('ename', c['status'])}"
                f"{': ' + c.get('evalue', '')[:150] if c.get('evalue') else ''})")
    if run.error:
        return f" ({run.error[:200]})"
    return ""


def _run_evidence(run: NotebookRun) -> dict[str, Any]:
    return {
        "outcome": run.run.outcome, "seconds": run.seconds, "error": run.error[:2000],
        "problems": run.problems[:10],
        "cells": [f"cell {c['index'] + 1}: {c['status']}"
                  + (f" ({c['ename']})" if c.get("ename") else "")
                  + (f", {c['figures']} figure(s)" if c.get("figures") else "")
                  for c in run.cells[:200]],
        "tracebacks": [{"cell": c["index"] + 1, "traceback": c.get("traceback", "")
                        [-_TRACEBACK_CHARS:]} for c in run.failed_cells[:5]],
        "stderr_tail": run.run.stderr.text()[-2000:] if run.run.outcome != "exited" else ""}
