"""When a flag or a question applies: conditions on what the checks observed.

A condition (`when:` in defaults.yaml and a challenge's review.yaml) is a mapping:

    check: "http.auth.*"        # a check id or glob (required unless lint_rule)
    status: failed              # or a list; default [failed, error]. `not_run` never matches:
                                # a check that could not run observed nothing
    message: "words"            # the check's message holds these words
    response: 2xx               # the HTTP status the check observed: "2xx", "4xx", "5xx", a
                                # status (403), or a list of them; read from the last HTTP
                                # exchange of its evidence, or its `status`
    value: {key: findings, at_most: 0}   # a number in the evidence (dotted key) compared with
                                # above / at_least / below / at_most; it must be there
    lint_rule: E722             # instead of check: a ruff rule among static.lint's findings

A red flag or a question is raised by the first check that satisfies its condition. A green
flag needs *every* check its glob matches to satisfy it (and at least one): "Ownership
enforced" cannot stand beside a failed ownership test, and nothing is green about a check that
never ran.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from grader.checks import CheckResult

DEFAULT_STATUSES = ("failed", "error")
_COMPARISONS = {"above": lambda v, x: v > x, "at_least": lambda v, x: v >= x,
                "below": lambda v, x: v < x, "at_most": lambda v, x: v <= x}


def status_matches(status: int | None, wanted: Any) -> bool:
    """Whether an HTTP status is one of `wanted`: "2xx"-style classes or exact statuses."""
    if status is None:
        return False
    for item in wanted if isinstance(wanted, list) else [wanted]:
        text = str(item).lower()
        if len(text) == 3 and text.endswith("xx") and text[0].isdigit():
            if status // 100 == int(text[0]):
                return True
        elif text.isdigit() and status == int(text):
            return True
    return False


def _evidence_number(check: CheckResult, key: str) -> float | None:
    value: Any = check.evidence
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _value_matches(check: CheckResult, rule: Any) -> bool:
    if not isinstance(rule, dict) or "key" not in rule:
        return False
    value = _evidence_number(check, str(rule["key"]))
    if value is None:
        return False
    return all(compare(value, float(rule[name])) for name, compare in _COMPARISONS.items()
               if isinstance(rule.get(name), int | float))


def satisfies(check: CheckResult, when: dict[str, Any]) -> bool:
    """Whether `check` satisfies `when` (its glob aside)."""
    if check.status == "not_run":
        return False
    statuses = when.get("status", list(DEFAULT_STATUSES))
    statuses = [statuses] if isinstance(statuses, str) else list(statuses)
    if check.status not in statuses:
        return False
    if str(when.get("message", "")) not in check.message:
        return False
    if "response" in when and not status_matches(check.observed_status(), when["response"]):
        return False
    return not ("value" in when and not _value_matches(check, when["value"]))


def matching(checks: list[CheckResult], when: dict[str, Any]) -> list[CheckResult]:
    """The checks that satisfy `when` (red flags and questions: any one is enough)."""
    if "lint_rule" in when:
        rule = str(when["lint_rule"])
        return [c for c in checks if c.id == "static.lint" and c.observed
                and rule in (c.evidence.get("by_rule") or {})]
    pattern = str(when.get("check", ""))
    return [c for c in checks if fnmatchcase(c.id, pattern) and satisfies(c, when)]


def all_matching(checks: list[CheckResult], when: dict[str, Any]) -> list[CheckResult]:
    """For green flags: the checks the glob matches when every one of them satisfies `when`
    (and there is at least one); [] otherwise."""
    pattern = str(when.get("check", ""))
    group = [c for c in checks if fnmatchcase(c.id, pattern)]
    if not group or not all(satisfies(c, when) for c in group):
        return []
    return group
