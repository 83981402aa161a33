"""grader/validate.py's check_report on a report made here: a message's expected words may be
one string or a list of alternatives (a check whose honest reason depends on the machine's
load, e.g. a budget that ran out before the suite's own stop), and a message holding none of
them is a problem naming them all."""

from __future__ import annotations

from typing import Any

from grader.validate import check_report
from tests.unit.test_report import sample


def expect(words: Any) -> dict[str, Any]:
    return {"percent": [0, 100], "messages": {"case.b": words}}


def test_a_message_holds_the_words_or_one_of_the_alternatives() -> None:
    report = sample()                                   # case.b failed: "output | differs"
    assert check_report(report, expect("differs")) == []
    assert check_report(report, expect(["not run", "differs"])) == []
    [problem] = check_report(report, expect(["not run", "timed out"]))
    assert problem.startswith("case.b: message lacks any of ['not run', 'timed out']")
    [problem] = check_report(report, expect("timed out"))
    assert problem.startswith("case.b: message lacks 'timed out'")
