"""Judging an executed notebook on the host, run by run: did it run top to bottom (on the
public data and the hidden variant) and within its budget, and is answers.json in the
documented format. Cells are named by position and execution count ("cell 11 (In [6])"),
tracebacks keep the candidate's own frame (`Cell In[6], line 2`) as well as the tail, the
libraries' versions are listed, and a missing file of the submission's own `data/` folder is
explained (the grader replaces that folder with its copy)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers, judge, questions
from grader.tracks.notebook.execute import NotebookRun

TRACEBACK_CHARS = 3000
_QUOTED = re.compile(r"""['"]([^'"]{1,300})['"]""")
_SHOWN_VERSIONS = ("pandas", "numpy", "matplotlib")
_OWN_FRAME = re.compile(r"^Cell In\[\d+\].*?(?=\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class DataFolder:
    """The data folder the grader hands in, and what the submission had in its own."""

    dir: str = "data"
    grader_files: tuple[str, ...] = ()
    submitted: frozenset[str] = field(default_factory=frozenset)


def cell_name(index: int, run: NotebookRun | None = None) -> str:
    """"cell 11 (In [6])": the position among all cells and, when it ran, its execution
    count."""
    count = next((c.get("count") for c in (run.cells if run else []) if c["index"] == index),
                 None)
    return f"cell {index + 1}" + (f" (In [{count}])" if isinstance(count, int) else "")


def trim_traceback(text: str, cap: int = TRACEBACK_CHARS) -> str:
    """At most `cap` characters: the candidate's frames (`Cell In[...]`) and the tail."""
    if len(text) <= cap:
        return text
    own = [b[:500] for b in _OWN_FRAME.findall(text)][:2]
    head = "\n\n".join(own)
    room = max(cap - len(head) - 40, cap // 3)
    return (f"{head}\n\n[... cut ...]\n" if head else "[... cut ...]\n") + text[-room:]


def data_hint(cell: dict[str, Any], data: DataFolder | None) -> str:
    """Why a FileNotFoundError names a file of `data/` that the submission carries."""
    if data is None or cell.get("ename") not in ("FileNotFoundError", "OSError", "IOError"):
        return ""
    prefix = data.dir.strip("/") + "/"
    for path in _QUOTED.findall(str(cell.get("evalue", ""))):
        rel = path.removeprefix("./").removeprefix("/work/")
        if rel.startswith(prefix) and rel in data.submitted and rel[len(prefix):] not in (
                data.grader_files):
            return (f" ({rel} is in the submission, but the grader replaces {prefix} with its "
                    f"own copy ({', '.join(data.grader_files)}): keep files of your own "
                    f"outside {prefix})")
    return ""


def versions_text(run: NotebookRun) -> str:
    shown = [f"{name} {run.versions[name]}" for name in _SHOWN_VERSIONS if name in run.versions]
    return f" (ran with {', '.join(shown)})" if shown else ""


def describe_failure(c: dict[str, Any], run: NotebookRun, cell_timeout: float,
                     data: DataFolder | None = None) -> str:
    name = cell_name(c["index"], run)
    stop = c.get("stop") or {}
    if c["status"] == "not-run":
        return f"{name} did not run"
    if c["status"] == "timeout" and stop.get("why") == "deadline":
        return (f"{name} was still running when the notebook's total time ran out"
                + (" and did not stop when interrupted: it was killed with its kernel"
                   if stop.get("how") == "killed" else ""))
    if c["status"] == "timeout" and stop.get("how") == "killed":
        return (f"{name} ran past the {cell_timeout:g} s per-cell timeout and did not stop "
                f"when interrupted (SIGINT {stop.get('sigint', 'unknown')} in its kernel): it "
                "was killed with its kernel")
    if c["status"] == "timeout":
        return f"{name} ran past the {cell_timeout:g} s per-cell timeout and was stopped"
    return (f"{name} raised {c.get('ename', '')}: {c.get('evalue', '')[:200]}"
            + data_hint(c, data))


def runs_clean(check_id: str, title: str, run: NotebookRun, cell_timeout: float,
               weight: float, data: DataFolder | None = None) -> CheckResult:
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
                                  f"error{versions_text(run)}", title=title, max_points=weight,
                                  evidence=_run_evidence(run))
    stopped = next((c["index"] for c in cells if c.get("stop", {}).get("how") == "killed"
                    or c.get("stop", {}).get("why") == "deadline"), None)
    after = [c for c in failed if c["status"] == "not-run" and stopped is not None
             and c["index"] > stopped]
    failed = [c for c in failed if c not in after]
    described = [describe_failure(c, run, cell_timeout, data) for c in failed[:5]]
    more = f" (+{len(failed) - 5} more)" if len(failed) > 5 else ""
    more += f"; the {len(after)} code cell(s) after it did not run" if after else ""
    stop = f"; {run.error}" if run.error and stopped is None else ""
    return CheckResult(
        id=check_id, status="failed", points=weight * 0.5 * ok / len(cells),
        max_points=weight, title=title,
        message=f"{ok} of {len(cells)} code cells ran cleanly; " + "; ".join(described)
        + more + stop + versions_text(run), evidence=_run_evidence(run))


def runtime_check(run: NotebookRun, budget: float) -> CheckResult:
    title = f"Runs within {budget:g} s"
    seconds = run.seconds if run.seconds is not None else run.run.seconds
    evidence = {"seconds": round(seconds, 2), "budget_seconds": budget}
    if not run.completed:
        why = run.error or "the run stopped early"
        return CheckResult.failed("notebook.runtime", f"did not finish: {why}", title=title,
                                  evidence=evidence)
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


def why_missing(run: NotebookRun) -> str:
    failed = run.failed_cells
    if failed:
        c = failed[0]
        name = cell_name(c["index"], run)
        if c["status"] == "timeout" and (c.get("stop") or {}).get("how") == "killed":
            return f" ({name} ran past the per-cell timeout and was killed with its kernel)"
        if c["status"] == "timeout":
            return f" ({name} was stopped at the per-cell timeout)"
        return (f" ({name} failed: {c.get('ename', c['status'])}"
                f"{': ' + c.get('evalue', '')[:150] if c.get('evalue') else ''})")
    if run.error:
        return f" ({run.error[:200]})"
    return ""


def _run_evidence(run: NotebookRun) -> dict[str, Any]:
    return {
        "outcome": run.run.outcome, "seconds": run.seconds, "error": run.error[:2000],
        "problems": run.problems[:10], "versions": run.versions,
        "cells": [cell_name(c["index"], run) + f": {c['status']}"
                  + (f" ({c['ename']})" if c.get("ename") else "")
                  + (f", {c['figures']} figure(s)" if c.get("figures") else "")
                  for c in run.cells[:200]],
        "tracebacks": [{"cell": cell_name(c["index"], run),
                        "traceback": trim_traceback(c.get("traceback", ""))}
                       for c in run.failed_cells[:5]],
        "stops": [{"cell": cell_name(c["index"], run), **c["stop"]} for c in run.stops[:5]],
        "trusted": run.trusted,
        "stderr_tail": run.run.stderr.text()[-2000:] if not run.trusted else ""}
