"""The notebook track's judging, without Docker: answers against keys (tolerances, records,
mistakes), static notebook facts, and the promise that no answer key enters a container
(a fake sandbox records everything it is handed and answers like a candidate's notebook)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.analysis import notebook_facts as nbf
from grader.challenge import load_challenge
from grader.intake import Manifest, Submission
from grader.registry import get_track
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult, RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.base import GradingContext
from grader.tracks.notebook.answers import Answers, judge, read_answers
from grader.tracks.notebook.track import generate
from tests.conftest import ROOT
from tests.fakes import OneShotSandbox

CHALLENGE = ROOT / "challenges" / "datascience"

KEY = {
    "seed": 1,
    "total": {"type": "number", "answer": 100.0, "rel_tol": 0.01,
              "mistakes": {"no_dedup": 110.0}},
    "best": {"type": "string", "answer": "Books"},
    "test": {"type": "record", "answer": {"p": 0.04, "ship": True}, "abs_tol": {"p": 0.01},
             "mistakes": {"raw": {"p": 0.2}}},
}


def answers(**values: object) -> Answers:
    return Answers(values=dict(values), present=True)


def test_tolerances_types_and_records() -> None:
    verdicts = {v.id: v for v in judge(KEY, answers(total=100.9, best=" books ",
                                                    test={"p": 0.049, "ship": 1}))}
    assert verdicts["total"].correct and verdicts["best"].correct
    assert verdicts["test.p"].correct
    assert not verdicts["test.ship"].correct and verdicts["test.ship"].note == (
        "expected true or false")
    assert set(verdicts) == {"total", "best", "test.p", "test.ship"}  # "seed" is no question


def test_a_known_mistake_is_named() -> None:
    verdicts = {v.id: v for v in judge(KEY, answers(total=110.2, test={"p": 0.2,
                                                                       "ship": False}))}
    assert verdicts["total"].mistakes == ("no_dedup",)
    assert verdicts["test.p"].mistakes == ("raw",)
    assert verdicts["test.ship"].mistakes == ()  # the mistake does not name that field
    assert verdicts["best"].missing


def test_answers_json_is_read_defensively() -> None:
    assert read_answers(None).problems == ["answers.json was not written"]
    assert "not valid JSON" in read_answers(b"{nope").problems[0]
    assert read_answers(b"[1, 2]").problems == ["answers.json must hold a JSON object of answers"]
    assert read_answers(b"x" * (300 * 1024)).problems
    nan = read_answers(b'{"answers": {"total": NaN}}')
    assert nan.values == {"total": None}
    assert not judge(KEY, nan)[0].correct
    assert read_answers(b'{"total": 1}').values == {"total": 1}  # the bare mapping works too


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) if kind == "md" else
                nbformat.v4.new_code_cell(s) for kind, s in cells]
    return nb


def test_notebook_facts() -> None:
    nb = notebook(
        ("md", "# Title"),
        ("code", "%matplotlib inline\nimport pandas as pd\nfor i in range(len(df)):\n    pass"),
        ("md", "## Q1 revenue"),
        ("code", "df.apply(lambda r: r.a + r.b, axis=1)\nfor _, row in df.iterrows():\n  pass"),
        ("md", "_placeholder_ The revenue grew because of three reasons"),
        ("md", "## Q2 with SQL"),
        ("code", "q = 'SELECT a FROM t'\npd.read_sql_query(q, conn)"),
        ("code", "this is not python"),
    )
    cells = nbf.cells(nb)
    loops = nbf.row_loops(cells, "a.ipynb")
    assert [f["what"] for f in loops] == ["for ... in range(len(...))", ".apply(..., axis=1)",
                                          ".iterrows()"]
    assert loops[1]["file"] == "a.ipynb cell 4"
    polars = notebook(("code", "for row in df.iter_rows(named=True):\n    total += row['a']\n"
                               "s = [r[0] for r in df.iter_rows()]\n"
                               "df.map_rows(lambda r: r[0] * 2)\n"
                               "per_variant = dict(counts.iter_rows())"))
    found = sorted((f["line"], f["what"]) for f in nbf.row_loops(nbf.cells(polars), "p.ipynb"))
    assert found == [(1, "for ... in .iter_rows()"), (3, "for ... in .iter_rows()"),
                     (4, ".map_rows()")]
    sections = nbf.sections(cells, {"q1": r"^#+\s*Q1\b", "q2": r"^#+\s*Q2\b",
                                    "q9": r"^#+\s*Q9\b"})
    assert [c.index for c in sections["q1"]] == [2, 3, 4] and "q9" not in sections
    assert nbf.narrative_words(sections["q1"], ["_placeholder_"]) == 7
    assert nbf.uses_sql(sections["q2"]) and not nbf.uses_sql(sections["q1"])
    nb.cells[1]["execution_count"], nb.cells[3]["execution_count"] = 5, 2
    assert nbf.execution_order(nb)[0] is False


def _result(files: dict[str, bytes]) -> RunResult:
    empty = CapturedOutput(b"", b"", 0)
    return RunResult(outcome="exited", exit_code=0, seconds=1.0, stdout=empty, stderr=empty,
                     limits=Limits(), files=files)


def signed(summary: dict[str, object], spec: RunSpec) -> bytes:
    """The runner's record, signed with the key the grader handed it (.grader/hmac)."""
    key = spec.files[".grader/hmac"]
    assert isinstance(key, bytes)
    payload = json.dumps(summary).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload


@dataclass
class NotebookSandbox(OneShotSandbox):
    """Plays a candidate's notebook: answers the public key's values whatever the data (a
    hard-coding notebook), and records every file it is handed."""

    answers: bytes
    runs: list[RunSpec] = field(default_factory=list)

    def run(self, spec: RunSpec) -> RunResult:
        """What the grader's runner writes: a record signed with the key it was handed."""
        self.runs.append(spec)
        summary = {"ok": True, "seconds": 1.0, "final": True, "cells": [
            {"index": 1, "status": "ok", "figures": 1},
            {"index": 3, "status": "error", "figures": 0, "ename": "KeyError",
             "evalue": "'customer'", "traceback": "Traceback ...\nKeyError: 'customer'"}],
            "figures": [{"suptitle": "", "cell": 1, "axes": [
                {"xlabel": "Month", "ylabel": "", "title": "", "axis_on": True,
                 "has_data": True}]}]}
        return _result({".grader-out/summary.signed": signed(summary, spec),
                        "answers.json": self.answers})


def test_keys_never_enter_the_sandbox_and_hard_coding_is_caught(tmp_path: Path) -> None:
    challenge = load_challenge(CHALLENGE)
    data = challenge.config.data
    _, public_key = generate(challenge.config, data.public_seed)
    _, variant_key = generate(challenge.config, data.variant_seed)
    given = {q: spec["answer"] for q, spec in public_key.items() if isinstance(spec, dict)}
    (tmp_path / "analysis.ipynb").write_text(nbformat.writes(notebook(("code", "1"))))
    (tmp_path / "answers.json").write_text('{"stale": 1}')
    submission = Submission(
        id="t-1", source=tmp_path, root=tmp_path,
        manifest=Manifest(challenge="datascience", candidate="T"), sha256="0" * 64,
        files=("analysis.ipynb", "answers.json"), total_bytes=10, ignored=())
    box = NotebookSandbox(json.dumps({"answers": given}).encode())
    ctx = GradingContext(submission=submission, challenge=challenge, sandbox=box,
                         artifacts_dir=tmp_path / "artifacts")
    checks = {c.id: c for c in get_track("notebook").grade(ctx)}

    assert len(box.runs) == 2
    secrets = [json.dumps(v["answer"]) for key in (public_key, variant_key)
               for v in key.values() if isinstance(v, dict) and "answer" in v]
    for spec in box.runs:
        assert "answers.json" not in spec.files  # the stale file is never handed back
        for name, content in spec.files.items():
            assert "key" not in name
            blob = content.read_bytes() if isinstance(content, Path) and content.is_file() \
                else content if isinstance(content, bytes) else b""
            if name.startswith("data/"):
                continue  # the data itself (the generator's files; keys are computed on it)
            for secret in secrets:
                assert secret.encode() not in blob or len(secret) < 6, (name, secret)
        assert json.dumps(public_key).encode() not in b"".join(
            c for c in spec.files.values() if isinstance(c, bytes))
    assert checks["answers.not-hard-coded"].status == "failed"
    assert "hard-coded" in checks["answer.q1_march_revenue"].message
    runs = checks["notebook.runs-clean"]
    assert runs.status == "failed" and "KeyError" in runs.message
    assert "KeyError: 'customer'" in runs.evidence["tracebacks"][0]["traceback"]
    assert checks["figures.labelled"].status == "failed"  # no y label
