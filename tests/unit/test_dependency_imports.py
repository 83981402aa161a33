"""The import check of build.dependencies (grader/tracks/steps/dependency_imports.py) with a
fake engine, and the entry point it reads from the run command
(grader/tracks/steps/entry_point.py): a package that needs its framework configured is
imported again the way the submission's own program would, and fails the check only for a
reason of its own."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from grader.challenge import load_challenge
from grader.checks import CheckResult
from grader.intake.submission import Manifest, Submission
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult, RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.base import GradingContext
from grader.tracks.steps import dependency_imports
from grader.tracks.steps.dependencies import submission_image
from grader.tracks.steps.dependency_imports import needs_configuration
from grader.tracks.steps.entry_point import entry_point
from tests.conftest import ROOT
from tests.fakes import OneShotSandbox

BACKEND = ROOT / "challenges" / "backend"
# What `import ninja` says outside Django's settings (django-ninja 1.7: pydantic wraps
# Django's ImproperlyConfigured in a ValidationError of its own settings class).
NINJA_BARE = ("ValidationError: 9 validation errors for Settings\nPAGINATION_CLASS\n  Error "
              "extracting attribute: ImproperlyConfigured: Requested setting "
              "NINJA_PAGINATION_CLASS, but settings are not configured. You must either "
              "define the environment variable DJANGO_SETTINGS_MODULE or call "
              "settings.configure() before accessing settings.")
RUN = ("python manage.py migrate --noinput && "
       "exec uvicorn notesite.asgi:application --host 0.0.0.0 --port ${PORT:-8000}")


def write(root: Path, files: dict[str, str]) -> tuple[str, ...]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return tuple(sorted(files))


def django_project(root: Path) -> tuple[str, ...]:
    return write(root, {
        "manage.py": '''
            import os, sys
            def main():
                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")
            ''',
        "notesite/asgi.py": '''
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")
            ''',
        "notesite/settings.py": "SECRET_KEY = 'x'\n",
        "requirements.txt": "django>=5.0\ndjango-ninja>=1.1\n"})


def test_the_entry_point_is_read_from_the_run_command_and_the_files(tmp_path: Path) -> None:
    files = django_project(tmp_path)
    entry = entry_point(tmp_path, files, RUN)
    assert (entry.cwd, entry.path, entry.django_settings) == ("", (), "notesite.settings")
    assert entry.settings_from == "notesite/asgi.py:3"  # the module the server command names
    assert entry.probe_options() == {"cwd": "/work", "path": [], "django": True,
                                     "env": {"DJANGO_SETTINGS_MODULE": "notesite.settings"}}
    moved = entry_point(tmp_path, files, "cd src && export DEBUG=0 APP_ENV=prod; "
                        "PYTHONPATH=.:../lib:$PYTHONPATH gunicorn --chdir api "
                        "--pythonpath=/work/vendor --settings conf.prod site.wsgi")
    assert (moved.cwd, moved.path) == ("src/api", ("vendor", "src", "lib"))
    assert moved.env == {"DEBUG": "0", "APP_ENV": "prod"}
    assert (moved.django_settings, moved.settings_from) == ("conf.prod", "the run command")
    script = entry_point(tmp_path, files, "python backend/manage.py runserver 0.0.0.0:8000")
    assert script.path == ("backend",)
    # Nothing leaves the work folder, and a command without Django names no settings.
    escaped = entry_point(tmp_path / "none", (), "cd /etc && uvicorn --app-dir ../.. app:app")
    assert (escaped.cwd, escaped.path, escaped.django_settings) == ("", (), None)


def test_configuration_errors_are_told_from_broken_packages() -> None:
    assert needs_configuration(NINJA_BARE)
    assert needs_configuration("AppRegistryNotReady: Apps aren't loaded yet.")
    assert needs_configuration("RuntimeError: Working outside of application context.")
    assert not needs_configuration("ModuleNotFoundError: No module named 'pydantic_core'")
    assert not needs_configuration("OSError: libgomp.so.1: cannot open shared object file")
    assert not needs_configuration("SyntaxError: invalid syntax (main.py, line 3)")


@dataclass
class ImportingBox(OneShotSandbox):
    """The bare probe (no files) sees `bare`; the probe with the submission's settings sees
    `configured`. Records every run."""

    bare: list[dict[str, object]] = field(default_factory=list)
    configured: list[dict[str, object]] = field(default_factory=list)
    runs: list[RunSpec] = field(default_factory=list)

    def run(self, spec: RunSpec) -> RunResult:
        self.runs.append(spec)
        rows = self.configured if len(spec.command) > 4 else self.bare
        out = ("GRADER-IMPORTS " + json.dumps(rows) + "\n").encode()
        return RunResult(outcome="exited", exit_code=0, seconds=1.0,
                         stdout=CapturedOutput(out, b"", 0),
                         stderr=CapturedOutput(b"", b"", 0), limits=Limits())


def _grade(tmp_path: Path, box: ImportingBox) -> CheckResult:
    dependency_imports._import_cache.clear()
    files = django_project(tmp_path)
    sub = Submission(id="t-1", source=tmp_path, root=tmp_path,
                     manifest=Manifest(challenge="backend", candidate="T",
                                       commands={"run": RUN}),
                     sha256="0" * 64, files=files, total_bytes=0, ignored=())
    ctx = GradingContext(submission=sub, challenge=load_challenge(BACKEND), sandbox=box,
                         artifacts_dir=tmp_path / "artifacts")
    checks: list[CheckResult] = []
    submission_image(ctx, "base:1", checks)
    return next(c for c in checks if c.id == "build.dependencies")


def _ninja(**row: object) -> dict[str, object]:
    return {"package": "django-ninja", "module": "ninja", **row}


def test_a_package_that_wants_djangos_settings_imports_with_the_submissions(
        tmp_path: Path) -> None:
    """django-ninja, bare: ImproperlyConfigured. With the submission's files, working folder
    and settings module it imports: the check passes and says how."""
    box = ImportingBox(bare=[{"package": "Django", "module": "django", "ok": True},
                             _ninja(ok=False, error=NINJA_BARE)],
                       configured=[_ninja(ok=True)])
    check = _grade(tmp_path, box)
    assert check.status == "passed"
    assert check.message.endswith(
        "installed (cached), each imports (django-ninja with the submission's settings: "
        "DJANGO_SETTINGS_MODULE=notesite.settings, read from notesite/asgi.py:3)")
    bare, configured = box.runs
    assert not bare.files and json.loads(bare.command[3]) == ["django", "django-ninja"]
    assert json.loads(configured.command[3]) == ["django-ninja"]  # only what wanted settings
    assert json.loads(configured.command[4])["env"] == {
        "DJANGO_SETTINGS_MODULE": "notesite.settings"}
    assert set(configured.files) == {"manage.py", "notesite/asgi.py", "notesite/settings.py",
                                     "requirements.txt"}


def test_an_import_that_fails_in_the_submissions_own_code_or_still_wants_configuration(
        tmp_path: Path) -> None:
    """Installed either way (passed, saying so): the server's own start judges the code."""
    box = ImportingBox(bare=[_ninja(ok=False, error=NINJA_BARE)], configured=[
        {"setup": "django.setup()", "error": "KeyError: 'SECRET'",
         "own_code": "notesite/settings.py:1"},
        _ninja(ok=False, error="KeyError: 'SECRET'", own_code="notesite/settings.py:1")])
    check = _grade(tmp_path, box)
    assert check.status == "passed"
    assert ("django-ninja installed; importing it runs the submission's own code, which failed "
            "at notesite/settings.py:1 (KeyError: 'SECRET')") in check.message
    box = ImportingBox(bare=[_ninja(ok=False, error=NINJA_BARE)],
                       configured=[_ninja(ok=False, error=NINJA_BARE)])
    check = _grade(tmp_path / "again", box)
    assert check.status == "passed"
    assert "django-ninja installed; its import needs configuration the check could not give" \
        in check.message


def test_a_package_broken_for_a_reason_of_its_own_fails_the_check(tmp_path: Path) -> None:
    """Settings given, the import still fails on a missing module: a real failure, named."""
    broken = "ImportError: cannot import name 'BaseModel' from 'pydantic' (unknown location)"
    box = ImportingBox(bare=[_ninja(ok=False, error=NINJA_BARE),
                             {"package": "lightgbm", "module": "lightgbm", "ok": False,
                              "error": "OSError: libgomp.so.1: cannot open shared object file"}],
                       configured=[_ninja(ok=False, error=broken)])
    check = _grade(tmp_path, box)
    assert check.status == "failed"
    assert "2 declared package(s) do not import" in check.message
    assert "lightgbm (import lightgbm): the native library libgomp.so.1 is missing" \
        in check.message
    assert f"django-ninja (import ninja): {broken}" in check.message
