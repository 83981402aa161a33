"""Signs that a submission tries to tamper with test results, read statically.

Hidden tests never run in the candidate's container, so these cannot touch hidden scores; but
the candidate's *own* test results come from their own process, so when these signs are present
those results are not trusted (and the report says why).
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

from grader.analysis.sources import python_trees
from grader.checks import CheckResult

#: pytest hooks that can rewrite an outcome.
OUTCOME_HOOKS = {"pytest_runtest_makereport", "pytest_report_teststatus",
                 "pytest_runtest_logreport", "pytest_runtest_protocol"}
STARTUP_HOOK_FILES = {"sitecustomize.py", "usercustomize.py"}


def find_tampering(root: Path, files: tuple[str, ...] | list[str]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for rel in files:
        name = PurePosixPath(rel).name
        if name in STARTUP_HOOK_FILES:
            found.append({"file": rel, "line": 1,
                          "what": f"{name} runs code at every interpreter start"})
        if name.endswith(".pth"):
            found.append({"file": rel, "line": 1, "what": ".pth file (runs at start-up)"})
    for rel, tree in python_trees(root, files):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    node.name in OUTCOME_HOOKS:
                found.append({"file": rel, "line": node.lineno,
                              "what": f"defines {node.name}, which can rewrite test outcomes"})
    return found


def tampering_check(findings: list[dict[str, object]]) -> CheckResult:
    title = "No tampering with test results"
    if not findings:
        return CheckResult.passed("static.no-test-tampering", "no result-altering hooks",
                                  title=title, kind="static")
    where = "; ".join(f"{f['file']}:{f['line']} {f['what']}" for f in findings[:5])
    return CheckResult.failed("static.no-test-tampering", where, title=title, kind="static",
                              evidence={"findings": findings})
