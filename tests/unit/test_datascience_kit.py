"""The data-science kit: built from data (no hidden material), its committed notebooks and data
up to date with tools/build_notebooks.py, its format check in step with the answer key."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from grader.challenge import load_challenge
from grader.kit import build_kit
from grader.tracks.notebook.track import generate
from tests.conftest import ROOT

CHALLENGE = ROOT / "challenges" / "datascience"
KIT = ROOT / "starter_kits" / "datascience" / "common"


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"t_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_notebooks_and_data_are_what_the_tool_builds() -> None:
    built = _module(CHALLENGE / "tools" / "build_notebooks.py").build()
    stale = [str(p.relative_to(ROOT)) for p, content in built.items()
             if not p.is_file() or p.read_bytes() != content]
    assert not stale, f"run challenges/datascience/tools/build_notebooks.py: {stale}"


def test_the_kit_holds_the_task_and_no_hidden_material(tmp_path: Path) -> None:
    path, files = build_kit(load_challenge(CHALLENGE), None, tmp_path / "kit.zip")
    assert set(files) >= {"README.md", "analysis.ipynb", "answers.py", "check_answers.py",
                          "requirements.txt", "submission.yaml", "data/orders.csv",
                          "data/customers.csv", "data/shop.sqlite"}
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert all(n.startswith("datascience/") for n in names)
    assert not any("solution" in n or "generator" in n or "key" in n for n in names)


def test_the_kit_data_is_the_public_seed() -> None:
    challenge = load_challenge(CHALLENGE)
    files, _ = generate(challenge.config, challenge.config.data.public_seed)
    for name, content in files.items():
        assert (KIT / "data" / name).read_bytes() == content, name


def test_the_public_format_check_agrees_with_the_key() -> None:
    check = _module(KIT / "check_answers.py")
    challenge = load_challenge(CHALLENGE)
    _, key = generate(challenge.config, challenge.config.data.variant_seed)
    right = {q: spec["answer"] for q, spec in key.items() if isinstance(spec, dict)}
    assert check.problems({"answers": right}) == []
    assert set(check.FORMAT) == set(right)
    wrong = dict(right, q1_march_revenue="12", q3_ab_test={"p_value": 0.1})
    found = check.problems({"answers": wrong})
    assert "q1_march_revenue: expected a number" in found
    assert "q3_ab_test.ship_b: missing" in found


def test_the_answers_helper_writes_the_documented_format(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    answers = _module(KIT / "answers.py")
    answers.reset()
    answers.record("q1_march_revenue", 12.5)
    answers.record("q3_ab_test", {"p_value": 0.2, "ship_b": False})
    assert json.loads(Path("answers.json").read_text()) == {"answers": {
        "q1_march_revenue": 12.5, "q3_ab_test": {"p_value": 0.2, "ship_b": False}}}
    with pytest.raises(ValueError):
        answers.record("q2", float("nan"))
    with pytest.raises(TypeError):
        answers.record("q2", [1, 2])
    assert os.path.exists("answers.json")


def test_the_kit_readme_states_the_limits_the_grader_applies() -> None:
    challenge = load_challenge(CHALLENGE)
    readme = (KIT / "README.md").read_text()
    limits = challenge.limits
    assert f"| time per cell | {challenge.config.cell_timeout_seconds:g} s" in readme
    assert f"| time for the whole notebook | {limits.timeout_seconds:g} s" in readme
    assert f"| memory | {limits.memory_mb} MB" in readme
    assert "replaces `data/` with its own copy" in readme
