"""Runs the candidate's own tests inside the sandbox, under grader's coverage settings.

Copied into the container and started as `python -P .grader/own_tests.py MODE [ARGS...]`:
`-P` keeps the work folder off sys.path while coverage and pytest are imported, so a package
of the submission named `coverage` or `pytest` cannot stand in for them; the work folder is
put on sys.path only afterwards, as `python -m pytest` would for the candidate's imports.
Coverage uses grader's settings (the candidate's .coveragerc, setup.cfg and pyproject
coverage sections are not read) and never counts test files as covered code.

MODE pytest ARGS: pytest with ARGS (from `commands.test`), a JUnit report in .grader/.
MODE unittest SCRIPT ARGS: `python SCRIPT ARGS` (Django's `manage.py test`, or `-m unittest`
as SCRIPT `-m`), every test's outcome recorded through unittest's result class.
Writes .grader/junit.xml or .grader/unittest.json, and .grader/coverage.json. Standard library,
coverage and pytest only: it runs with the image's Python.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import unittest
from typing import ClassVar

import coverage

RCFILE = "/tmp/.grader-coveragerc"
RC = """[run]
source = .
omit =
    */tests/*
    tests/*
    */test_*.py
    test_*.py
    */*_test.py
    *_test.py
    */tests.py
    tests.py
    */conftest.py
    conftest.py
    .grader/*
    */migrations/*
    */site-packages/*
data_file = /tmp/.grader-coverage
[report]
ignore_errors = True
"""


class _Recording(unittest.TextTestResult):
    """unittest's result, remembering each test's outcome for grader."""

    outcomes: ClassVar[list[dict[str, str]]] = []

    def _note(self, test: unittest.TestCase, outcome: str) -> None:
        _Recording.outcomes.append({"id": test.id(), "outcome": outcome})

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._note(test, "passed")

    def addFailure(self, test, err):  # type: ignore[no-untyped-def]
        super().addFailure(test, err)
        self._note(test, "failed")

    def addError(self, test, err):  # type: ignore[no-untyped-def]
        super().addError(test, err)
        self._note(test, "error")

    def addSkip(self, test, reason):  # type: ignore[no-untyped-def]
        super().addSkip(test, reason)
        self._note(test, "skipped")


def main() -> int:
    mode, args = sys.argv[1], sys.argv[2:]
    os.makedirs(".grader", exist_ok=True)
    with open(RCFILE, "w") as f:
        f.write(RC)
    import pytest  # imported before the work folder is on sys.path

    cov = coverage.Coverage(config_file=RCFILE)
    sys.path.insert(0, os.getcwd())
    code = 1
    cov.start()
    try:
        if mode == "pytest":
            code = int(pytest.main([*args, "-q", "-p", "no:cacheprovider",
                                    "--junitxml=.grader/junit.xml"]))
        else:
            unittest.TextTestRunner.resultclass = _Recording  # type: ignore[assignment]
            script, rest = args[0], args[1:]
            sys.argv = [script, *rest]
            try:
                if script == "-m":
                    runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
                else:
                    runpy.run_path(script, run_name="__main__")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            with open(".grader/unittest.json", "w") as f:
                json.dump({"tests": _Recording.outcomes}, f)
    finally:
        cov.stop()
        cov.save()
        try:
            cov.json_report(outfile=".grader/coverage.json")
        except Exception as exc:  # no data: nothing measured
            print(f"grader: no coverage report ({exc})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
