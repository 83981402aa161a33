"""`grader check`, the candidate's pre-flight inside an unzipped kit (no Docker, no hidden
material): intake rules, submission.yaml, own files, and the kit's public checks."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from grader.challenge import load_challenge
from grader.check import check_folder
from grader.kit import KIT_MANIFEST, build_kit
from grader.tracks.notebook.track import generate
from tests.conftest import ROOT


def unzipped_kit(tmp_path: Path, challenge: str, variant: str | None = None) -> Path:
    path, _ = build_kit(load_challenge(ROOT / "challenges" / challenge), variant,
                        tmp_path / "kit.zip")
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path / "kit")
        top = zf.namelist()[0].split("/")[0]
    return tmp_path / "kit" / top


def statuses(folder: Path) -> dict[str, str]:
    return {line.text: line.status for line in check_folder(folder)}


def test_the_untouched_data_science_kit(tmp_path: Path) -> None:
    kit = unzipped_kit(tmp_path, "datascience")
    manifest = json.loads((kit / KIT_MANIFEST).read_text())
    assert manifest["challenge"] == "datascience" and "analysis.ipynb" in manifest[
        "starter_files"]
    assert "key" not in json.dumps(manifest).lower().replace("keys", "")
    lines = check_folder(kit)
    assert any(line.status == "fail" and "put your name" in line.text for line in lines)
    assert any(line.status == "warn" and "answers.json missing" in line.text for line in lines)
    assert any("graded as your own work: 0 file(s)" in line.text for line in lines)


def test_a_finished_data_science_kit_passes(tmp_path: Path) -> None:
    kit = unzipped_kit(tmp_path, "datascience")
    manifest = kit / "submission.yaml"  # the name filled in; the kit's version lines kept
    manifest.write_text(re.sub(r"(?m)^candidate:.*$", "candidate: Ada", manifest.read_text()))
    challenge = load_challenge(ROOT / "challenges" / "datascience")
    _, key = generate(challenge.config, challenge.config.data.public_seed)
    answers = {q: v["answer"] for q, v in key.items() if isinstance(v, dict)}
    (kit / "answers.json").write_text(json.dumps({"answers": answers}))
    lines = check_folder(kit)
    assert all(line.status == "ok" for line in lines), lines
    assert any("answers.json format" in line.text and "passed" in line.text for line in lines)


def test_a_broken_submission_is_refused_as_the_grader_would(tmp_path: Path) -> None:
    kit = unzipped_kit(tmp_path, "mle")
    (kit / "submission.yaml").write_text("challenge: mle\ncandidate: Ada\ncomands: {}\n")
    lines = check_folder(kit)
    assert lines[-1].status == "fail" and "manifest-invalid" in lines[-1].text
    (kit / "submission.yaml").write_text("challenge: mle\ncandidate: Ada\n")
    texts = statuses(kit)
    assert texts["submission.yaml has no commands.train"] == "fail"
    assert texts["submission.yaml has no 'artifact'"] == "fail"


def test_outside_a_kit_only_the_general_rules_apply(tmp_path: Path) -> None:
    (tmp_path / "submission.yaml").write_text("challenge: wordfreq\ncandidate: Ada\n")
    (tmp_path / "main.py").write_text("print()\n")
    lines = check_folder(tmp_path)
    assert lines[0].status == "warn" and "not an unzipped kit" in lines[0].text
    assert not any(line.status == "fail" for line in lines)
