"""`grader users add` (reviewer accounts, Django's auth users) through the real command
line, on a store in a temporary folder; the invite tokens (unguessable, kept hashed, a
revoked one opens nothing); an upload's intake verdict in plain words, and its lateness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.store import Store
from tests.conftest import ROOT, TEST_CHALLENGE


def _grader(*args: str, store: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRADER_STORE": str(store)}
    return subprocess.run([sys.executable, "-m", "grader", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)


def test_users_add_creates_reviewers_and_admins_and_refuses_what_it_must(
        tmp_path: Path) -> None:
    db = tmp_path / "store" / "grader.db"
    made = _grader("users", "add", "ada", "--admin", "--password-stdin", store=db,
                   stdin="a long pass phrase\n")
    assert made.returncode == 0, made.stderr
    assert "created admin ada" in made.stdout
    assert _grader("users", "add", "bob", "--password-stdin", store=db,
                   stdin="another pass phrase\n").returncode == 0
    again = _grader("users", "add", "ada", "--password-stdin", store=db,
                    stdin="a long pass phrase\n")
    assert again.returncode == 2 and "exists already" in again.stderr
    weak = _grader("users", "add", "carol", "--password-stdin", store=db, stdin="short\n")
    assert weak.returncode == 2 and "too short" in weak.stderr
    listed = _grader("users", "list", store=db)
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [
        ["ada", "admin"], ["bob", "reviewer"]]
    alias = Store(db).alias                 # Django is set up from here on
    from django.contrib.auth.models import User

    users = User.objects.using(alias)
    ada, bob = users.get(username="ada"), users.get(username="bob")
    assert ada.is_staff and ada.is_superuser and not bob.is_staff and not bob.is_superuser
    assert ada.check_password("a long pass phrase") and not ada.check_password("short")
    assert ada.password.startswith("pbkdf2_sha256$") and "a long" not in ada.password
    assert not users.filter(username="carol").exists()


def test_an_invite_token_is_kept_hashed_and_a_revoked_one_opens_nothing(
        tmp_path: Path) -> None:
    alias = Store(tmp_path / "store" / "grader.db").alias
    from grader.db.models import Opening
    from grader.web.invites import create_invite, invite_for_token, revoke

    opening = Opening.objects.using(alias).create(title="Backend (mid)", challenge="backend",
                                                  framework="flask")
    made = create_invite(opening, "Grace", "grace@example.com", using=alias)
    other = create_invite(opening, "Linus", using=alias)
    assert len(made.token) >= 40 and made.token != other.token
    assert made.token not in made.invite.token_hash and made.invite.token_hint == made.token[:6]
    found = invite_for_token(made.token, using=alias)
    assert found is not None and found.pk == made.invite.pk
    assert invite_for_token(made.token[:-1] + "x", using=alias) is None
    assert invite_for_token("", using=alias) is None
    revoke(found)
    assert invite_for_token(made.token, using=alias) is None
    assert invite_for_token(other.token, using=alias) is not None


def test_an_upload_runs_the_intake_and_says_what_to_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import io
    import zipfile

    monkeypatch.setenv("GRADER_CHALLENGES_PATH", str(TEST_CHALLENGE.parent))
    alias = Store(tmp_path / "store" / "grader.db").alias
    from grader.db.models import Opening
    from grader.web.invites import create_invite
    from grader.web.uploads import receive_upload

    opening = Opening.objects.using(alias).create(title="Words", challenge="wordfreq",
                                                  window_minutes=120)
    invite = create_invite(opening, "Grace", using=alias).invite
    invite.start_clock(dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC))
    invite.save(using=alias)

    def zipped(files: dict[str, str]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, text in files.items():
                zf.writestr(name, text)
        return buffer.getvalue()

    on_time = dt.datetime(2026, 1, 1, 11, 0, tzinfo=dt.UTC)
    missing = receive_upload(invite, "work.zip", zipped({"main.py": "print(1)\n"}), on_time,
                             using=alias)
    assert not missing.accepted and missing.verdict == "manifest-missing"
    assert "submission.yaml" in missing.message and bytes(missing.data) == b""
    other = receive_upload(invite, "work.zip", zipped({
        "submission.yaml": "challenge: backend\ncandidate: Grace\ncommands: {run: python x.py}\n",
        "x.py": "print(1)\n"}), on_time, using=alias)
    assert other.verdict == "challenge-mismatch" and "'wordfreq'" in other.message
    good = zipped({"submission.yaml": "challenge: wordfreq\ncandidate: Grace\n"
                                      "commands: {run: python wordfreq.py}\n",
                   "wordfreq.py": "print(1)\n"})
    late = receive_upload(invite, "../../work.zip", good,
                          dt.datetime(2026, 1, 1, 12, 30, 1, tzinfo=dt.UTC), using=alias)
    assert late.accepted and late.verdict == "accepted" and late.late_minutes == 31
    assert late.filename == "work.zip" and bytes(late.data) == good
    assert late.message.startswith("received: ") and late.sha256 in late.message
    assert "late by 31 minutes" in late.message


def test_an_opening_names_a_challenge_that_loads_and_one_of_its_kits(tmp_path: Path) -> None:
    Store(tmp_path / "store" / "grader.db")
    from django.core.exceptions import ValidationError

    from grader.db.models import Opening

    Opening(title="Backend", challenge="backend", framework="flask").clean()
    Opening(title="Data", challenge="datascience").clean()
    for fields, key, said in (({"challenge": "backend"}, "framework", "pin one"),
                              ({"challenge": "backend", "framework": "rails"}, "framework",
                               "no kit 'rails'"),
                              ({"challenge": "nope"}, "challenge", "not found")):
        with pytest.raises(ValidationError) as caught:
            Opening(title="x", **fields).clean()
        assert said in " ".join(caught.value.message_dict[key])
