"""Answer-key hunting and snooping (`integrity.no-key-hunt`), and the answers it costs.

Two sources, each evidence rather than proof: what the kernel recorder saw while the notebook
ran (kernel_recorder.py: folders listed, globs, files opened, commands, environment scans and
reads, as the candidate's code asked for them), and what the code says (hunting.py). Hunting
is: listing or searching the filesystem root, a parent of the work folder, a home folder;
opening or searching for a key-like file outside the work folder (the decoy answer key
included); scanning the environment or reading a key-like variable; a search command over
those places. A file merely opened outside the work folder (a path from the candidate's own
machine) is not hunting.

The decoy (track_config `decoy_key`): a made-up answer key, different for each dataset, written
outside the work folder before the kernel starts; an answer equal to one of its numbers can
only have come from it. Answers recorded in or after the first hunting cell (the recorder
notes which cell last changed each answer), or equal to a decoy value, get no credit.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from grader.analysis.notebook_facts import Cell
from grader.checks import CheckResult
from grader.tracks.notebook.answers import Verdict, questions, tolerances
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.hunting import key_like_env, key_like_path
from grader.tracks.notebook.judging import cell_name
from grader.tracks.notebook.kernel_recorder import KERNEL_LIBS

HUNT_ROOTS = ("/", "/home", "/root", "/tmp", "/mnt", "/srv", "/opt", "/media")
_SEARCH = re.compile(r"\b(find|locate|ls|tree|du|grep\s+-\w*r\w*|rg)\b")
_OUTSIDE = re.compile(r"(^|\s)(/|\.\.|~|\$HOME)(/|\s|$)|(^|\s)/(home|root|tmp|mnt)\b")


@dataclass
class Hunt:
    findings: list[dict[str, Any]] = field(default_factory=list)  # cell, line, what, seen
    answer_cells: dict[str, int] = field(default_factory=dict)    # question -> cell index
    decoy_hits: dict[str, str] = field(default_factory=dict)      # question -> answer id
    recorded: bool = True                                          # the kernel's record came

    @property
    def first_cell(self) -> int | None:
        cells = [f["cell"] for f in self.findings]
        return None if any(c is None for c in cells) or not cells else min(cells)

    def no_credit(self, question: str, run: NotebookRun | None) -> str:
        """Why the answer to `question` gets no credit ("" when it keeps it)."""
        if question in self.decoy_hits:
            return (f"{self.decoy_hits[question]} equals a made-up value of the decoy answer "
                    "key placed outside the work folder")
        if not self.findings:
            return ""
        first, cell = self.first_cell, self.answer_cells.get(question)
        if first is None or cell is None:
            return "recorded by a notebook that hunts for an answer key"
        if cell >= first:
            return (f"recorded in {cell_name(cell, run)}, after the answer-key hunt in "
                    f"{cell_name(first, run)}")
        return ""


def _sha(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8", "replace")).hexdigest()[:12]


def cell_of_seq(audit: list[dict[str, Any]], cells: list[Cell]) -> dict[int, int]:
    """The n-th cell the kernel ran (the recorder's `seq`) -> its index in the notebook."""
    code = [c for c in cells if c.kind == "code" and c.source.strip()]
    out: dict[int, int] = {}
    position = 0
    for event in (e for e in audit if e["event"] == "cell"):
        match = next((i for i in range(position, len(code))
                      if _sha(code[i].source) == event.get("sha")), None)
        index = match if match is not None else position
        if index < len(code):
            out[event["seq"]] = code[index].index
        position = index + 1
    return out


def _describe(path: str, work: str, home: str) -> str:
    if path == "/":
        return "/ (the filesystem root)"
    if path == home:
        return f"the home folder ({home})"
    if path in [str(p) for p in PurePosixPath(work).parents]:
        return f"a parent of the work folder ({path})"
    return path


def classify(event: dict[str, Any], work: str = "/work", home: str = "/tmp",
             decoy: str = "") -> str:
    """What a recorded event shows, when it is hunting ("" otherwise)."""
    kind, path, via = event["event"], event.get("path", ""), event.get("via", "")
    roots = {*HUNT_ROOTS, home, *(str(p) for p in PurePosixPath(work).parents)}
    if kind == "list" and (path in roots or key_like_path(path)):
        return f"listed {_describe(path, work, home)}"
    if kind == "glob":
        base = re.split(r"[*?\[{]", path, maxsplit=1)[0].rstrip("/") or "/"
        if key_like_path(path):
            return f"searched for {path}"
        if base in roots:
            return (f"searched {_describe(base, work, home)}"
                    + (" recursively" if event.get("recursive") else "") + f" ({path})")
    if kind == "open" and decoy and path == decoy:
        return f"opened {path}, the decoy answer key grader placed there"
    if kind == "open" and key_like_path(path):
        return f"opened {path}"
    if kind == "env-scan" and via not in KERNEL_LIBS:
        return "scanned the environment (os.environ)"
    if kind == "env-read" and via == "code" and key_like_env(event.get("name", "")):
        return f"read the environment variable {event.get('name')}"
    command = event.get("command", "")
    if kind == "command" and _SEARCH.search(command) and (
            _OUTSIDE.search(command) or key_like_path(command.split()[-1] if command else "")):
        return f"ran `{command[:100]}`"
    return ""


def find_hunt(runs: list[NotebookRun], cells: list[Cell], static: list[dict[str, Any]],
              decoy: str = "", notebook: str = "analysis.ipynb") -> Hunt:
    """Findings from the runs' records and the static analysis, and where each answer was
    last recorded (first run). Each finding's `file` is "<notebook> cell N" (for the
    explain-your-code sheet's excerpt)."""
    hunt = Hunt(recorded=all(r.audit_read for r in runs if r.cells))
    seen: set[tuple[Any, str]] = set()
    for i, run in enumerate(runs):
        cell_at = cell_of_seq(run.audit, cells)
        for event in run.audit:
            if event["event"] == "answer" and i == 0 and event["seq"] in cell_at:
                hunt.answer_cells[event["question"]] = cell_at[event["seq"]]
            what = classify(event, decoy=decoy)
            cell = cell_at.get(event["seq"])
            if what and (cell, what) not in seen:
                seen.add((cell, what))
                hunt.findings.append({"cell": cell, "line": event.get("line", 0), "what": what,
                                      "seen": "while it ran"})
    for f in static:
        if (f["cell"], f["what"]) not in seen:
            seen.add((f["cell"], f["what"]))
            hunt.findings.append({**f, "seen": "in the code"})
    hunt.findings.sort(key=lambda f: (f["cell"] is None, f["cell"] or 0, f["line"]))
    for f in hunt.findings:
        f["file"] = f"{notebook} cell {f['cell'] + 1}" if f["cell"] is not None else ""
    return hunt


# -- the decoy key ------------------------------------------------------------------------------
def _decoy_number(value: float, spec: dict[str, Any], name: str | None, rng: random.Random,
                  avoid: list[float]) -> float:
    """`value` moved 12-45 % (at least 4-8 times its absolute tolerance) away, and away from
    every value to avoid; a non-integer keeps six significant digits, so that only a copy of
    it matches it."""
    rel, abs_ = tolerances(spec, name)
    integer = float(value).is_integer()
    wrong = value
    for attempt in range(200):
        delta = max(abs(value) * rng.uniform(0.12, 0.45), rng.uniform(4, 8) * abs_,
                    1.0 if integer else 1e-3)
        wrong = value + rng.choice((-1, 1)) * delta
        wrong = float(round(wrong)) if integer else float(f"{wrong:.6g}")
        margin = 3 if attempt < 100 else 1
        if all(not math.isclose(wrong, a, rel_tol=margin * rel, abs_tol=margin * abs_ + 1e-9)
               for a in [value, *avoid]):
            break
    return int(wrong) if isinstance(value, int) else wrong


def _known(key: dict[str, Any], qid: str, name: str | None) -> list[float]:
    """The right answer and every known mistake of a question (field) in `key`."""
    spec = questions(key).get(qid) or {}
    values = [spec.get("answer"), *(spec.get("mistakes") or {}).values()]
    if name is not None:
        values = [v.get(name) if isinstance(v, dict) else None for v in values]
    return [float(v) for v in values
            if isinstance(v, int | float) and not isinstance(v, bool)]


def make_decoy(key: dict[str, Any], seed: int,
               others: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A made-up answer key shaped like the real one: numbers moved 12-45 % away from the
    right answer and from every known mistake (of `key` and of the `others`, the other
    datasets' keys), yes/no fields at random, text left out."""
    rng = random.Random(f"decoy-{seed}")
    out: dict[str, Any] = {}
    keys = [key, *(others or [])]
    for qid, spec in questions(key).items():
        answer = spec.get("answer")
        if isinstance(answer, dict):
            record: dict[str, Any] = {}
            for name, value in answer.items():
                if isinstance(value, bool):
                    record[name] = rng.random() < 0.5
                elif isinstance(value, int | float):
                    avoid = [v for k in keys for v in _known(k, qid, name)]
                    record[name] = _decoy_number(value, spec, name, rng, avoid)
            out[qid] = record
        elif isinstance(answer, int | float) and not isinstance(answer, bool):
            avoid = [v for k in keys for v in _known(k, qid, None)]
            out[qid] = _decoy_number(answer, spec, None, rng, avoid)
    return out


def decoy_hits(decoy: dict[str, Any], verdicts: list[Verdict], hunting: bool) -> dict[str, str]:
    """question -> the answer (id) that is a copy of a number of the decoy: a non-integer to
    six significant digits; an integer only when the notebook was seen hunting too."""
    hits: dict[str, str] = {}
    for v in verdicts:
        fake = decoy.get(v.question)
        if isinstance(fake, dict) and v.field is not None:
            fake = fake.get(v.field)
        if v.missing or v.correct or isinstance(fake, bool) or not isinstance(
                fake, int | float) or isinstance(v.given, bool) or not isinstance(
                v.given, int | float) or not math.isfinite(v.given):
            continue
        if float(fake).is_integer() and not hunting:
            continue
        if math.isclose(v.given, fake, rel_tol=1e-6, abs_tol=1e-12):
            hits.setdefault(v.question, v.id)
    return hits


def hunt_check(hunt: Hunt, run: NotebookRun | None, void: dict[str, str]) -> CheckResult:
    title = "No hunting for answer keys"
    evidence: dict[str, Any] = {"findings": hunt.findings[:30], "no_credit": void}
    if not hunt.findings and not hunt.decoy_hits:
        record = ("" if hunt.recorded else "; the kernel's record of the run did not come "
                  "back, so this rests on the code alone")
        return CheckResult.passed("integrity.no-key-hunt", "nothing outside the work folder "
                                  "was searched for an answer key, and the environment was "
                                  "not scanned" + record, title=title, evidence=evidence)
    grouped: dict[tuple[Any, Any, str], list[str]] = {}
    for f in sorted(hunt.findings, key=lambda f: f["seen"] != "while it ran"):
        grouped.setdefault((f["cell"], f.get("line"), f["seen"]), []).append(f["what"])
    parts = [f"{cell_name(cell, run) if cell is not None else 'a cell'}"
             f"{', line ' + str(line) if line else ''}: {'; '.join(whats[:3])} ({seen})"
             for (cell, line, seen), whats in list(grouped.items())[:6]]
    parts += [f"{answer} equals the decoy answer key's made-up value"
              for answer in hunt.decoy_hits.values()]
    more = f" (+{len(grouped) - 6} more)" if len(grouped) > 6 else ""
    lost = (f"; no credit for {', '.join(sorted(void))}" if void else
            "; every answer was recorded before it, so they keep their credit"
            if hunt.answer_cells else "")
    return CheckResult.failed("integrity.no-key-hunt", "answer-key hunt: " + "; ".join(parts)
                              + more + lost, title=title, evidence=evidence)

