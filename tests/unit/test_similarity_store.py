"""Similarity (winnowing over normalised tokens) and the local store, without Docker."""

from __future__ import annotations

import re
from pathlib import Path

from grader.similarity import compare, excerpt, fingerprints, flagged_pairs
from grader.store import Store
from tests.conftest import ROOT
from tests.unit.test_report import sample

BACKEND = ROOT / "challenges" / "backend" / "solutions"


def prints_of(root: Path) -> dict:
    return fingerprints(root, [str(p.relative_to(root)) for p in sorted(root.rglob("*.py"))])


def renamed_copy(src: Path, dst: Path) -> Path:
    """A near-copy: every file's identifiers renamed, comments dropped, blank lines added."""
    for path in src.rglob("*.py"):
        text = path.read_text()
        text = re.sub(r"\bnote(s?)\b", r"memo\1", text)
        text = re.sub(r"\buser(s?)\b", r"account\1", text)
        text = re.sub(r"#.*", "", text).replace("\n\n", "\n\n\n")
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return dst


def test_a_renamed_copy_is_flagged_and_independent_work_is_not(tmp_path: Path) -> None:
    original = prints_of(BACKEND / "fastapi-reference")
    copy = prints_of(renamed_copy(BACKEND / "fastapi-reference", tmp_path / "copy"))
    flask, django = prints_of(BACKEND / "flask-reference"), prints_of(BACKEND / "django-reference")
    score, fragments = compare(original, copy)
    assert score > 0.8 and fragments and fragments[0]["shared"] > 10
    assert compare(original, flask)[0] < 0.2 and compare(flask, django)[0] < 0.2
    pairs = flagged_pairs({"orig": original, "copy": copy, "flask": flask, "django": django},
                          new=["copy", "flask", "django"])
    assert [(p["a"], p["b"]) for p in pairs] == [("copy", "orig")]


def test_too_little_code_is_never_flagged() -> None:
    tiny = {str(i): ["a.py", i] for i in range(5)}
    assert compare(tiny, tiny) == (0.0, [])


def test_excerpt_reads_the_named_lines() -> None:
    text = "a = 1\nb = 2\nc = 3\nd = 4\n"
    shown = excerpt(lambda rel: text if rel == "m.py" else None, "m.py:2-3")
    assert shown.splitlines() == ["   2  b = 2", "   3  c = 3"]


def test_the_store_keeps_reports_sources_and_fingerprints(tmp_path: Path) -> None:
    store = Store(tmp_path / "db" / "grader.db")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "main.py").write_text("print('hi')\n")
    report = sample()
    store.record(report, tmp_path / "out", tmp_path / "sub", ("main.py",), {"1": ["main.py", 1]})
    store.record(report, tmp_path / "out", tmp_path / "sub", ("main.py",), {"1": ["main.py", 1]})
    entries = store.entries("wordfreq")
    assert len(entries) == 1 and entries[0].percent == 50 and entries[0].has_source
    assert store.report("ada-01") == report  # a unique prefix is enough
    assert store.report("nobody") is None
    assert store.fingerprints("wordfreq") == {"ada-0123456789ab": {"1": ["main.py", 1]}}
    assert store.source_text("ada-0123456789ab", "main.py") == "print('hi')\n"
    assert store.entries("backend") == []
