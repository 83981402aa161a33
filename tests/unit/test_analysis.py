"""Static facts, read without running anything: frameworks, routes, secrets, Python-2-isms,
tampering hooks, lint."""

from __future__ import annotations

from pathlib import Path

from grader.analysis.code_facts import find_py2isms, find_secrets
from grader.analysis.frameworks import detect_framework
from grader.analysis.routes import find_routes, handler_for
from grader.analysis.tampering import find_tampering
from grader.tracks.steps.static import quality_checks
from tests.conftest import ROOT

SOLUTIONS = ROOT / "challenges" / "backend" / "solutions"


def files_of(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


def write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return sorted(files)


def test_frameworks_of_the_reference_solutions() -> None:
    for name, expected in (("fastapi-reference", "fastapi"), ("flask-reference", "flask"),
                           ("django-reference", "django")):
        root = SOLUTIONS / name
        assert detect_framework(root, files_of(root))[0] == expected


def test_routes_point_at_handlers_in_all_three_frameworks() -> None:
    cases = {
        "fastapi-reference": ("PUT", "/notes/12", "app/routers/notes.py", "update_note"),
        "flask-reference": ("DELETE", "/notes/3", "app/notes.py", "delete_note"),
        "django-reference": ("GET", "/notes/7", "notes/views.py", "note_detail"),
    }
    for name, (method, path, file, handler) in cases.items():
        root = SOLUTIONS / name
        route = handler_for(find_routes(root, files_of(root)), method, path)
        assert route is not None, name
        assert (route.file, route.handler) == (file, handler)
    fastapi = SOLUTIONS / "fastapi-reference"
    routes = find_routes(fastapi, files_of(fastapi))
    assert handler_for(routes, "GET", "/notes?limit=5").handler == "list_notes"  # type: ignore[union-attr]
    assert handler_for(routes, "PATCH", "/notes/1") is None
    assert all(r.is_async for r in routes)


def test_secrets_and_python2isms_are_found_with_their_lines(tmp_path: Path) -> None:
    files = write(tmp_path, {
        "settings.py": 'DEBUG = True\nSECRET_KEY = "django-insecure-abcdefghijklmnop"\n',
        "keys.txt": "AKIAABCDEFGHIJKLMNOP\n",
        "old.py": "for i in xrange(3):\n    print(d.has_key(i))\n",
        "older.py": "print 'hello'\n",
        ".env": "X=1\n",
    })
    secrets = find_secrets(tmp_path, files)
    kinds = {(s["file"], s["kind"]) for s in secrets}
    assert ("settings.py", "hard-coded secret") in kinds
    assert ("keys.txt", "AWS access key") in kinds
    assert (".env", "committed .env file") in kinds
    py2 = {(p["file"], p["what"]) for p in find_py2isms(tmp_path, files)}
    assert ("old.py", "xrange") in py2 and ("old.py", ".has_key()") in py2
    assert any(f == "older.py" for f, _ in py2)


def test_clean_code_has_no_findings() -> None:
    root = SOLUTIONS / "fastapi-reference"
    checks = {c.id: c for c in quality_checks(root, files_of(root))}
    assert checks["static.no-secrets"].status == "passed"
    assert checks["static.modern-python"].status == "passed"
    assert checks["static.lint"].status == "passed"


def test_lint_ignores_the_candidates_own_ruff_config(tmp_path: Path) -> None:
    files = write(tmp_path, {
        "pyproject.toml": "[tool.ruff.lint]\nignore = ['F']\n",
        "bad.py": "import os\nimport sys\n\n\ndef f():\n    x = 1\n",
    })
    checks = {c.id: c for c in quality_checks(tmp_path, files)}
    assert "F401" in checks["static.lint"].evidence["by_rule"]


def test_tampering_hooks_are_found() -> None:
    root = SOLUTIONS / "test-faker"
    found = {(f["file"], str(f["what"]).split(",")[0]) for f in
             find_tampering(root, files_of(root))}
    assert ("conftest.py", "defines pytest_runtest_makereport") in found
    assert any(f == "sitecustomize.py" for f, _ in found)
    assert find_tampering(SOLUTIONS / "fastapi-reference",
                          files_of(SOLUTIONS / "fastapi-reference")) == []


def test_requirements_are_read_the_way_pip_reads_them(tmp_path: Path) -> None:
    from grader.tracks.steps.dependencies import read_dependencies

    text = "pandas==2.2.2  # the data\r\nnumpy>=1.26\n# a comment\nscipy #inline\n"
    for encoded in (text.encode("utf-16"), text.encode("utf-8-sig"), text.encode()):
        (tmp_path / "requirements.txt").write_bytes(encoded)
        deps = read_dependencies(tmp_path)
        assert deps.requirements == ("numpy>=1.26", "pandas==2.2.2", "scipy"), encoded[:4]
        assert deps.refused == ()


def test_lint_counts_kinds_of_finding_and_never_newer_spellings() -> None:
    from collections import Counter

    from grader.tracks.steps.static import lint_check

    style = lint_check(Counter({"UP007": 40, "UP035": 3}), [], None, 200)
    assert style.status == "passed" and style.points == 1.0
    assert "43 newer-spelling suggestion(s), not scored" in style.message
    habit = lint_check(Counter({"F401": 20}), [], None, 200)
    varied = lint_check(Counter({"F401": 1, "E722": 1, "B006": 1}), [], None, 200)
    assert habit.status == "failed" and habit.points > varied.points


def test_every_step_of_the_dependency_build_is_bounded_by_the_budget() -> None:
    """The requirements' own build code runs in RUN steps; each is wrapped in `timeout` with
    the seconds the grading budget leaves (a step runs on in the engine even when grader has
    stopped waiting)."""
    from grader.sandbox.images import BUILD_SECONDS_ARG
    from grader.tracks.steps.dependencies import DEPS_DOCKERFILE

    runs = [line for line in DEPS_DOCKERFILE.splitlines() if line.startswith("RUN ")]
    assert runs
    for line in runs:
        assert line.startswith(f"RUN timeout --kill-after=5 ${{{BUILD_SECONDS_ARG}}} "), line


PIP_23_SDIST_FAILS = """\
Step 5/12 : RUN timeout --kill-after=5 ${GRADER_BUILD_SECONDS} pip wheel --quiet ...
 ---> Running in d322afa0d2a5
  error: subprocess-exited-with-error

  × Preparing metadata (pyproject.toml) did not run successfully.
  │ exit code: 1
  ╰─> [18 lines of output]
      Traceback (most recent call last):
        File "<string>", line 1, in <module>
      RuntimeError: this package refuses to build
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
error: metadata-generation-failed

× Encountered error while generating package metadata.
╰─> See above for output.
"""


def test_the_cause_of_a_failed_install_is_pips_own_words() -> None:
    """build.dependencies says why pip failed (the package, the version, the build's own
    error), not only that the Docker build step returned 1. The engine colours a build step's
    stderr, so pip's lines arrive behind an escape sequence."""
    from grader.tracks.steps.dependencies import pip_cause

    missing = ("Step 5/12 : RUN ... pip wheel ...\n ---> Running in d322afa0d2a5\n"
               "\x1b[91mERROR: Could not find a version that satisfies the requirement "
               "nosuch-zz9==4.2.0 (from versions: none)\n"
               "\x1b[0m\x1b[91mERROR: No matching distribution found for nosuch-zz9==4.2.0\n")
    assert pip_cause(missing) == ("Could not find a version that satisfies the requirement "
                                  "nosuch-zz9==4.2.0 (from versions: none)")
    assert pip_cause(PIP_23_SDIST_FAILS) == (
        "Preparing metadata (pyproject.toml) did not run successfully. "
        "(RuntimeError: this package refuses to build)")
    assert pip_cause("Step 5/12 : RUN pip wheel ...\nKilled\n") is None
    assert len(pip_cause("ERROR: " + "x" * 1000) or "") == 300
