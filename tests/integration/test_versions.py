"""A submission made on an earlier kit, graded after the author changed the challenge (its
public data and its hidden material) in the middle of the cohort: it is graded against the
kit its candidate had, the report names both versions, and nothing accuses it of stale
outputs; without a version in its manifest, the fresh-run comparison is not run, and says
why (grader/version_store.py; docs/challenge-yaml.md, "Versions")."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from grader.challenge import Challenge, load_challenge
from grader.kit import build_kit
from grader.pipeline import Grader
from grader.report import Report
from grader.report.model import now
from grader.store import Store
from grader.tracks.notebook.track import generate
from grader.version_store import keep
from grader.versions import current_version
from tests.challenge_overrides import OVERRIDES
from tests.conftest import ROOT

pytestmark = pytest.mark.docker
NAME = "datascience"


def copy_challenge(tmp: Path) -> Challenge:
    shutil.copytree(ROOT / "challenges" / NAME, tmp / "challenges" / NAME,
                    ignore=shutil.ignore_patterns("solutions", "__pycache__"))
    shutil.copytree(ROOT / "starter_kits" / NAME, tmp / "starter_kits" / NAME)
    return load_challenge(tmp / "challenges" / NAME, OVERRIDES[NAME])


def answers_given(report: Report) -> dict[str, Any]:
    """The answers a notebook's public run recorded, as its answer checks saw them."""
    answers: dict[str, Any] = {}
    for check in report.checks:
        if check.id.startswith("answer.") and "public" in check.evidence:
            question, _, field = check.id.removeprefix("answer.").partition(".")
            given = check.evidence["public"]["given"]
            if field:
                answers.setdefault(question, {})[field] = given
            else:
                answers[question] = given
    return answers


def change_challenge(challenge: Challenge) -> Challenge:
    """Version 2: the public data regenerated from another seed, the hidden variant's seed
    changed too (so every answer key differs), the label bumped."""
    file = challenge.root / "challenge.yaml"
    text = file.read_text()
    public = challenge.config.data.public_seed
    variant = challenge.config.data.variant_seed
    text = re.sub(rf"public_seed: {public}\b", f"public_seed: {public + 1}", text)
    text = re.sub(rf"variant_seed: {variant}\b", f"variant_seed: {variant + 1}", text)
    text = re.sub(r"(?m)^version: .*$", "version: 2", text)
    file.write_text(text)
    changed = load_challenge(challenge.root, OVERRIDES[NAME])
    files, _ = generate(changed.config, public + 1)
    data = challenge.root.parent.parent / "starter_kits" / NAME / "common" / "data"
    for name, content in files.items():
        (data / name).write_bytes(content)
    return changed


def test_a_submission_on_an_earlier_kit_is_graded_against_it(tmp_path: Path,
                                                            docker_client: object) -> None:
    store = Store(tmp_path / "store" / "grader.db")
    first = copy_challenge(tmp_path / "repo")
    version_1 = current_version(first)
    assert version_1 is not None
    kit, _ = build_kit(first, None, tmp_path / "kit.zip")
    keep(store, first, version_1, now())  # what `grader kit` does
    with zipfile.ZipFile(kit) as zf:
        stamped = zf.read(f"{NAME}/submission.yaml").decode()

    # the candidate's work on kit 1: the reference notebook, and the answers.json its run on
    # kit 1 wrote (read back from that grading's answer checks), saved beside it
    submission = tmp_path / "ada"
    shutil.copytree(ROOT / "challenges" / NAME / "solutions" / "reference", submission)
    (submission / "submission.yaml").write_text(
        re.sub(r"(?m)^candidate:.*$", "candidate: Ada On Kit One", stamped))
    on_kit_1 = Grader(out_dir=tmp_path / "first", challenge=first, store=store).grade(
        submission).report
    assert on_kit_1.total.percent == 100, on_kit_1.total
    (submission / "answers.json").write_text(json.dumps({"answers": answers_given(on_kit_1)}))

    second = change_challenge(first)
    version_2 = current_version(second)
    assert version_2 is not None and version_2.digest != version_1.digest

    outcome = Grader(out_dir=tmp_path / "out", challenge=second, store=store).grade(submission)
    report = outcome.report
    assert report.challenge is not None
    assert report.challenge.version == "1" and report.challenge.kit_digest == version_1.digest
    assert report.challenge.current_version == version_2.name
    assert report.challenge.version_known is True
    note = next(m.text for m in report.messages if m.rule == "kit-version")
    assert version_1.name in note and version_2.name in note
    assert "common/data/orders.csv" in note
    fresh = report.check_map["notebook.outputs-fresh"]
    assert fresh.status == "passed", fresh.message  # its answers are kit 1's: not stale
    assert report.total.percent >= 97, report.total
    assert report.review is not None
    assert not any(f.id == "stale-answers" for f in report.review.flags)
    markdown = (outcome.report_dir / "report.md").read_text()
    assert "the current version is 2 (kit" in markdown

    # the same work, its version lines lost: graded on version 2, not accused of stale outputs
    unstamped = tmp_path / "ada-unstamped"
    shutil.copytree(submission, unstamped)
    manifest = unstamped / "submission.yaml"
    manifest.write_text("".join(line for line in manifest.read_text().splitlines(True)
                                if not line.startswith(("kit_version", "kit_digest"))))
    unknown = Grader(out_dir=tmp_path / "out", challenge=second, store=store).grade(unstamped)
    report = unknown.report
    assert report.challenge is not None and report.challenge.version == "2"
    assert report.challenge.version_known is False
    fresh = report.check_map["notebook.outputs-fresh"]
    assert fresh.status == "not_run" and fresh.max_points == 0, fresh
    assert "no kit_version" in fresh.message
    assert report.review is not None
    assert not any(f.id == "stale-answers" for f in report.review.flags)
    assert any(m.rule == "kit-version" and m.level == "warning" and "are not run" in m.text
               for m in report.messages)
