"""A cohort graded as a batch: near-copies of one submission are flagged with the fragments
side by side, independent work is not; results land in the local store, where `grader list`,
`grader show` and `grader regrade` find them; a later cohort is compared with the earlier one."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_CHALLENGE

pytestmark = pytest.mark.docker
REFERENCE = TEST_CHALLENGE / "solutions" / "reference"
INDEPENDENT = '''\
import json
import string


def count(text):
    freq = {}
    for raw in text.split():
        word = "".join(ch for ch in raw.lower() if ch.isalpha() or ch not in string.printable)
        word = "".join(ch for ch in word if ch.isalpha())
        if word:
            freq[word] = freq.get(word, 0) + 1
    ranked = sorted(freq, key=lambda w: (-freq[w], w))
    return {"total_words": sum(freq.values()), "top": [[w, freq[w]] for w in ranked[:3]]}


with open("input.txt", encoding="utf-8") as src, open("output.json", "w") as dst:
    dst.write(json.dumps(count(src.read())))
'''


def grader(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600, check=False)


def renamed_copy(solution: Path, dst: Path, candidate: str,
                 renames: tuple[tuple[str, str], ...]) -> Path:
    """`solution` with some variables renamed and its comment lines stripped: same program,
    under another candidate's name."""
    shutil.copytree(solution, dst)
    for path in dst.rglob("*.py"):
        code = path.read_text()
        for old, new in renames:
            code = re.sub(rf"\b{old}\b", new, code)
        path.write_text(re.sub(r"(?m)^\s*#.*\n", "", code))
    manifest = dst / "submission.yaml"
    manifest.write_text(re.sub(r"(?m)^candidate:.*$", f"candidate: {candidate}",
                               manifest.read_text()))
    return dst


def near_copy(dst: Path, candidate: str) -> Path:
    """The io reference with its variables renamed, under another candidate's name."""
    return renamed_copy(REFERENCE, dst, candidate, (("text", "content"), ("counts", "tally")))


def test_cohort_similarity_store_and_regrade(tmp_path: Path, docker_client: object) -> None:
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "store" / "grader.db")}
    cohort = tmp_path / "cohort"
    shutil.copytree(REFERENCE, cohort / "ada")
    near_copy(cohort / "bob", "Bob Copy")
    near_copy(cohort / "cy", "Cy Copy")
    (cohort / "dee").mkdir()
    (cohort / "dee" / "wordfreq.py").write_text(INDEPENDENT)
    (cohort / "dee" / "submission.yaml").write_text(
        "challenge: wordfreq\ncandidate: Dee Independent\ncommands: {run: python wordfreq.py}\n")

    out = tmp_path / "out"
    result = grader("run", str(cohort), "--challenge", str(TEST_CHALLENGE), "--out", str(out),
                    "--jobs", "2", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list(out.glob("*/report.html"))) == 4
    pairs = json.loads((out / "similarity.json").read_text())
    flagged = {frozenset(re.sub(r"-[0-9a-f]{12}$", "", x) for x in (p["a"], p["b"]))
               for p in pairs}
    assert flagged == {frozenset({"ada-reference", "bob-copy"}),
                       frozenset({"ada-reference", "cy-copy"}),
                       frozenset({"bob-copy", "cy-copy"})}
    assert all(p["fragments"][0]["a_excerpt"] for p in pairs)  # side by side, from the store
    index = (out / "index.html").read_text()
    assert "Unusually similar pairs" in index and "Dee Independent" in index
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [float(r["percent"]) for r in rows] == sorted((float(r["percent"]) for r in rows),
                                                         reverse=True)

    listed = grader("list", "--challenge", "wordfreq", env=env)
    assert listed.returncode == 0 and "4 submission(s)" in listed.stdout
    shown = grader("show", "dee-independent", env=env)
    assert shown.returncode == 0 and "Dee Independent" in shown.stdout

    later = tmp_path / "later"
    near_copy(later / "eve", "Eve Later")
    result = grader("run", str(later / "eve"), str(cohort / "dee"), "--challenge",
                    str(TEST_CHALLENGE), "--out", str(tmp_path / "out2"), env=env)
    assert result.returncode == 0, result.stderr
    later_pairs = json.loads((tmp_path / "out2" / "similarity.json").read_text())
    assert any(p["earlier_cohort"] for p in later_pairs)  # eve matches the stored cohort
    assert all("dee" not in p["a"] + p["b"] for p in later_pairs)

    regraded = grader("regrade", str(TEST_CHALLENGE), "--out", str(tmp_path / "out3"),
                      env=env)
    assert regraded.returncode == 0, regraded.stderr
    assert "regraded 5 submission(s) of wordfreq" in regraded.stdout


def test_a_mixed_batch_flags_only_the_near_copies(tmp_path: Path,
                                                  docker_client: object) -> None:
    """Submissions of two challenges (backend and the io test challenge) that were written
    independently, plus two near-copies of the Flask reference, graded with --jobs 2 (two
    tracks grading side by side in one process). (The deliberately flawed solutions are
    near-copies of their references by construction and would be flagged, rightly:
    bad-requirements is the Flask reference with one change.) The batch is about the cohort:
    similarity within a challenge only, one summary, one ranking. The data-science and MLE
    references are not in it: test_solutions grades each of them, and a batch's code is the
    same whatever the track (they cost a minute of CPU each time)."""
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "store" / "grader.db"),
           "GRADER_CHALLENGES_PATH": str(ROOT / "tests" / "challenges")}
    flask = ROOT / "challenges" / "backend" / "solutions" / "flask-reference"
    solutions = [flask]
    dee = tmp_path / "dee"
    dee.mkdir()
    (dee / "wordfreq.py").write_text(INDEPENDENT)
    (dee / "submission.yaml").write_text(
        "challenge: wordfreq\ncandidate: Dee Independent\ncommands: {run: python wordfreq.py}\n")
    solutions.append(dee)
    solutions += [TEST_CHALLENGE / "solutions" / n for n in (
        "reference", "case-sensitive", "infinite-loop", "memory-hog")]
    renames = (("row", "record"), ("rows", "records"), ("cur", "cursor"))
    solutions += [renamed_copy(flask, tmp_path / "copies" / n, n.title(), renames)
                  for n in ("mallory", "trudy")]
    assert len(solutions) == 8
    out = tmp_path / "out"
    result = grader("run", *map(str, solutions), "--out", str(out), "--jobs", "2", env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(list(out.glob("*/report.json"))) == 8
    assert len(list(out.glob("*/report.html"))) == 8

    pairs = json.loads((out / "similarity.json").read_text())
    flagged = {frozenset(re.sub(r"-[0-9a-f]{12}$", "", x) for x in (p["a"], p["b"]))
               for p in pairs}
    assert flagged == {frozenset({"flo-flask", "mallory"}),
                       frozenset({"flo-flask", "trudy"}),
                       frozenset({"mallory", "trudy"})}, flagged
    assert all(p["challenge"] == "backend" for p in pairs)

    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert len(rows) == 8
    reports = {json.loads(p.read_text())["submission"]["id"]: json.loads(p.read_text())
               for p in out.glob("*/report.json")}
    for row in rows:
        assert float(row["percent"]) == reports[row["submission"]]["total"]["percent"]
    percents = [float(r["percent"]) for r in rows]
    assert percents == sorted(percents, reverse=True)
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, 9)]
