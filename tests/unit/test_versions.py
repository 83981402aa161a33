"""Challenge versions (grader/versions.py, grader/version_store.py): the kit's digest, the lock
that ties a label to one kit, the kit's submission.yaml carrying its version, and resolving
a submission to the version it was made on, kept in the store, or marked unknown."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.challenge import Challenge, load_challenge
from grader.check import _version_lines
from grader.errors import ChallengeConfigError, InputRejected
from grader.intake.manifest import _validate_manifest
from grader.kit import build_kit
from grader.store import Store
from grader.version_store import edited_kit_data, keep, resolve
from grader.versions import (
    changed_files,
    current_version,
    lock_problems,
    lock_version,
    locked_versions,
)
from tests.conftest import ROOT

NOW = "2026-12-06T12:00:00+00:00"


def copy_challenge(tmp: Path, name: str = "datascience") -> Challenge:
    """The bundled challenge and its kit, copied where the test may change them."""
    shutil.copytree(ROOT / "challenges" / name, tmp / "challenges" / name,
                    ignore=shutil.ignore_patterns("solutions", "__pycache__"))
    shutil.copytree(ROOT / "starter_kits" / name, tmp / "starter_kits" / name)
    return load_challenge(tmp / "challenges" / name)


def set_version(challenge: Challenge, label: str) -> Challenge:
    file = challenge.root / "challenge.yaml"
    text = file.read_text()
    file.write_text(text.replace(f"version: {challenge.version}\n", f"version: {label}\n", 1))
    return load_challenge(challenge.root)


def manifest(**extra: object) -> object:
    return _validate_manifest({"challenge": "datascience", "candidate": "Ada", **extra}, "x")


def test_the_digest_follows_every_kit_file_and_names_what_changed(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    first = current_version(challenge)
    assert first is not None and first.label == challenge.version
    assert first == current_version(challenge)  # stable
    data = tmp_path / "starter_kits" / "datascience" / "common" / "data" / "orders.csv"
    data.write_bytes(data.read_bytes() + b"9999,1,2024-03-01,10.00,completed,A\n")
    second = current_version(challenge)
    assert second is not None and second.digest != first.digest
    assert changed_files(first, second) == ["common/data/orders.csv"]


def test_the_lock_refuses_a_changed_kit_under_the_same_label(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    (challenge.root / "versions.yaml").unlink(missing_ok=True)
    assert "is not locked" in lock_problems(challenge)[0]
    version, new = lock_version(challenge)
    assert new and lock_problems(challenge) == []
    assert lock_version(challenge) == (version, False)
    readme = tmp_path / "starter_kits" / "datascience" / "common" / "README.md"
    readme.write_text(readme.read_text() + "\nOne more sentence.\n")
    problem = lock_problems(challenge)
    assert len(problem) == 1 and "common/README.md" in problem[0]
    assert f"version is still '{challenge.version}'" in problem[0]
    with pytest.raises(ChallengeConfigError, match=r"common/README\.md"):
        lock_version(challenge)
    bumped = set_version(challenge, "2")
    assert "is not locked" in lock_problems(bumped)[0]
    lock_version(bumped)
    assert lock_problems(bumped) == [] and set(locked_versions(bumped)) == {
        challenge.version, "2"}


@pytest.mark.parametrize("name", ["backend", "datascience", "mle"])
def test_every_bundled_kit_is_locked_under_its_label(name: str) -> None:
    """An author who changes a kit gives the challenge a new version (and locks it): the
    candidates who have the old kit are then graded against it, not against the new one."""
    assert lock_problems(load_challenge(ROOT / "challenges" / name)) == []


@pytest.mark.parametrize("name", ["backend", "datascience", "mle"])
def test_every_bundled_solution_names_a_locked_version(name: str) -> None:
    """The solutions carry the kit version they were written on, as a candidate's do: a
    solution graded as "version unknown" would not have its saved outputs compared."""
    challenge = load_challenge(ROOT / "challenges" / name)
    locked = locked_versions(challenge)
    for manifest_file in sorted((challenge.root / "solutions").glob("*/submission.yaml")):
        data = yaml.safe_load(manifest_file.read_text())
        assert str(data.get("kit_version")) in locked, manifest_file


def test_the_kit_carries_its_version_and_the_manifest_reads_it(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    version = current_version(challenge)
    assert version is not None
    zip_path, _ = build_kit(challenge, None, tmp_path / "kit.zip")
    with zipfile.ZipFile(zip_path) as zf:
        text = zf.read("datascience/submission.yaml").decode()
        kit_json = zf.read("datascience/.grader/kit.json").decode()
    data = yaml.safe_load(text)
    assert data["kit_version"] == version.label and data["kit_digest"] == version.digest
    assert version.digest in kit_json
    read = _validate_manifest({**data, "candidate": "Ada"}, "x")
    assert read.kit_version == version.label and read.kit_digest == version.digest  # type: ignore[attr-defined]


def test_manifest_version_lines_are_validated() -> None:
    assert manifest(kit_version=2).kit_version == "2"  # type: ignore[attr-defined]
    with pytest.raises(InputRejected, match="kit_digest"):
        manifest(kit_digest="not hex at all")
    with pytest.raises(InputRejected, match="kit_digest"):
        manifest(kit_digest="abc123")  # too short to name a kit


def test_a_submission_is_graded_against_the_kit_it_names(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    store = Store(tmp_path / "store" / "grader.db")
    old = current_version(challenge)
    assert old is not None
    keep(store, challenge, old, NOW)  # `grader kit` did this when the kit was handed out
    data = tmp_path / "starter_kits" / "datascience" / "common" / "data" / "orders.csv"
    original = data.read_bytes()
    data.write_bytes(original + b"9999,1,2024-03-01,10.00,completed,A\n")
    hidden = challenge.root / "data" / "generator.py"
    hidden.write_text(hidden.read_text() + "\n# hidden material changed\n")
    changed = set_version(challenge, "2")
    new = current_version(changed)
    assert new is not None

    # named by its digest: the kept version, loaded from the store with the old kit and data
    work = tmp_path / "work"
    got = resolve(changed, manifest(kit_version=old.label, kit_digest=old.digest), store,  # type: ignore[arg-type]
                  work, NOW)
    assert got.unknown is None and got.used == old and got.current == new
    assert got.challenge.root != changed.root and got.challenge.version == old.label
    assert "hidden material changed" not in (got.challenge.root / "data" /
                                            "generator.py").read_text()
    assert (got.challenge.root.parent.parent / "starter_kits" / "datascience" / "common" /
            "data" / "orders.csv").read_bytes() == original
    assert f"graded against version {old.name}" in got.note and new.name in got.note
    assert "common/data/orders.csv" in got.note
    # by its label alone, the same
    assert resolve(changed, manifest(kit_version=old.label), store, work / "b",  # type: ignore[arg-type]
                   NOW).used == old
    # the current one, named: graded against it
    current = resolve(changed, manifest(kit_version="2", kit_digest=new.digest[:16]), store,  # type: ignore[arg-type]
                      work / "c", NOW)
    assert current.challenge is changed and current.unknown is None
    # grading against the current version kept it too
    assert {d for _, d, _, _ in store.kept_versions("datascience")} == {old.digest, new.digest}


def test_an_unknown_version_is_graded_on_the_current_one_and_says_why(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    store = Store(tmp_path / "store" / "grader.db")
    none = resolve(challenge, manifest(), store, tmp_path / "a", NOW)  # type: ignore[arg-type]
    assert none.challenge is challenge and none.unknown is not None
    assert "no kit_version" in none.unknown and "are not run" in none.note
    lost = resolve(challenge, manifest(kit_version="0", kit_digest="ab" * 32), store,  # type: ignore[arg-type]
                   tmp_path / "b", NOW)
    assert lost.unknown is not None and "does not keep it" in lost.unknown
    no_store = resolve(challenge, manifest(kit_version="0"), None, tmp_path / "c", NOW)  # type: ignore[arg-type]
    assert no_store.unknown is not None


def test_edited_kit_data_is_named(tmp_path: Path) -> None:
    challenge = copy_challenge(tmp_path)
    version = current_version(challenge)
    assert version is not None
    sub = tmp_path / "sub"
    (sub / "data").mkdir(parents=True)
    kit_data = tmp_path / "starter_kits" / "datascience" / "common" / "data"
    shutil.copyfile(kit_data / "customers.csv", sub / "data" / "customers.csv")
    (sub / "data" / "orders.csv").write_bytes((kit_data / "orders.csv").read_bytes()[:-40])
    (sub / "data" / "mine.csv").write_text("a,b\n")
    files = ("data/customers.csv", "data/orders.csv", "data/mine.csv")
    assert edited_kit_data(sub, files, version) == ["data/orders.csv"]


def test_grader_check_asks_to_keep_the_version_lines() -> None:
    kit = {"kit_version": "1", "kit_digest": "ab" * 32}
    ok = _version_lines(manifest(kit_version="1", kit_digest="ab" * 32), kit)  # type: ignore[arg-type]
    assert [line.status for line in ok] == ["ok"]
    lost = _version_lines(manifest(), kit)  # type: ignore[arg-type]
    assert lost[0].status == "warn" and "kit_digest: " + "ab" * 32 in lost[0].text
    assert _version_lines(manifest(), None) == []  # type: ignore[arg-type]
