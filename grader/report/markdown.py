"""Markdown rendering of a report, for reading in a terminal, an editor or a code review.

Pure and deterministic: the same report renders to the same text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from grader.report.figures import key_figures
from grader.report.model import Message, Report
from grader.text import number

_BLOCK_CAP = 4000
_STATUS_ORDER = ("failed", "error", "not_run", "skipped", "passed")
_STATUS_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP",
                "not_run": "NOT RUN"}


def _cell(value: Any) -> str:
    """A table cell: pipes escaped, line breaks folded into spaces."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("|", "\\|").replace("\n", " ")


def _num(value: Any) -> str:
    return number(value)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _span(value: Any) -> str:
    """Inline code, whatever backticks the value holds (CommonMark code-span rules)."""
    text = str(value).replace("\n", " ")
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _block(text: str) -> list[str]:
    """A fenced code block, capped at _BLOCK_CAP characters; the fence outlasts any backticks."""
    if len(text) > _BLOCK_CAP:
        text = text[:_BLOCK_CAP] + "\n[truncated]"
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return [fence, text.rstrip("\n"), fence]


def _indented_block(text: str, indent: str) -> list[str]:
    return [f"{indent}{line}" if line else "" for block in _block(text)
            for line in block.split("\n")]


def _evidence(evidence: dict[str, Any], indent: str = "") -> list[str]:
    """Evidence as a nested list: each key a sub-item, long or multi-line text a code block."""
    lines: list[str] = []
    for key, value in evidence.items():
        if value is None or (isinstance(value, str | dict | list) and not value):
            continue
        if isinstance(value, dict):
            lines.append(f"{indent}- {key}:")
            lines += _evidence(value, indent + "  ")
        elif isinstance(value, str) and ("\n" in value or len(value) > 80):
            lines.append(f"{indent}- {key}:")
            lines += _indented_block(value, indent + "  ")
        elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            lines.append(f"{indent}- {key}:")
            lines += _indented_block(json.dumps(value, indent=2, ensure_ascii=False),
                                     indent + "  ")
        elif isinstance(value, list):
            text = json.dumps(value, ensure_ascii=False)
            if len(text) > 400:
                lines.append(f"{indent}- {key}:")
                lines += _indented_block(text, indent + "  ")
            else:
                lines.append(f"{indent}- {key}: {_span(text)}")
        elif isinstance(value, str):
            lines.append(f"{indent}- {key}: {_span(value)}")
        else:
            lines.append(f"{indent}- {key}: {_num(value)}")
    return lines


def _message_line(message: Message) -> str:
    rule = f" (rule {_span(message.rule)})" if message.rule else ""
    return f"- {message.level}: {message.text}{rule}"


def _header(report: Report) -> list[str]:
    sub, chal = report.submission, report.challenge
    who = sub.candidate or sub.id or "submission"
    what = (chal.title or chal.id) if chal else "unknown challenge"
    out = [f"# {who}: {what}", ""]
    out.append(f"- submission: {_span(sub.id)} (sha256 {_span(sub.sha256[:16])}) from "
               f"{_span(sub.source)}")
    if chal:
        out.append(f"- challenge: {_span(chal.id)} ({chal.track} track), version "
                   f"{chal.version_text}")
    out += [f"- status: **{report.status}**", ""]
    return out


def _summary(report: Report) -> list[str]:
    total = report.total
    if report.status == "rejected":
        first = report.messages[0] if report.messages else None
        text = first.text if first else "no reason recorded"
        refused = [f"**Submission rejected:** {text}", ""]
        if first and first.rule:
            refused += [f"Rule: {_span(first.rule)}. Score: 0 (nothing was run).", ""]
        return refused
    out: list[str] = []
    if report.status == "error":
        out += ["**Grading did not finish:** grader failed part-way (not the candidate's "
                "doing); the score below counts only what ran. See the `error` checks.", ""]
    line = (f"**Total: {_num(total.points)} / {_num(total.max_points)} points "
            f"({_num(total.percent)}%)**")
    if total.pending_max_points:
        line += (f", plus {_num(total.pending_max_points)} points pending the reviewer's "
                 "manual scoring")
    if total.bonus_points:
        line += f", and {_num(total.bonus_points)} bonus points (not in the total)"
    out += [line, ""]
    if total.capped_by:  # why the total is below what the criteria add up to
        out += ["**Capped** (a flaw that limits the total whatever else works):", "",
                *(f"- {_cell(cap)}" for cap in total.capped_by), ""]
    return out


def _recommendation(report: Report) -> list[str]:
    """What the role profile recommends, and why (grader/recommend.py)."""
    rec = report.recommendation
    if rec is None:
        return []
    role = rec.title or rec.profile
    pinned = f", {' or '.join(rec.frameworks)}" if rec.frameworks else ""
    out = [f"## Recommendation: {rec.verdict_text}", "",
           f"Role: {_cell(role)} ({rec.level}{pinned}; profile {_span(rec.profile)}). "
           f"Profile-weighted score **{_num(rec.percent)}%**: advance from "
           f"{_num(rec.advance_at)}%, borderline from {_num(rec.borderline_at)}%. Green flags "
           f"{rec.green_flags} of the {rec.green_flags_target} targeted.", ""]
    for reason in rec.reasons:
        pointers = [*(_span(c) for c in reason.checks[:6]), *(f"flag {_span(f)}"
                                                             for f in reason.flags[:8])]
        out.append(f"- {_cell(reason.text)}" + (f" ({', '.join(pointers)})" if pointers
                                                 else ""))
    return [*out, ""]


def _key_figures(report: Report) -> list[str]:
    figures = key_figures(report)
    if not figures:
        return []
    return ["## Key figures", "", *(f"- {_cell(label)}: {value}" for label, value in figures),
            ""]


def _criteria(report: Report) -> list[str]:
    if not report.criteria:
        return []
    out = ["## Criteria", "", "| criterion | points | max | status | notes |",
           "| --- | ---: | ---: | --- | --- |"]
    for c in report.criteria:
        points = c.status if c.status in ("pending", "unverified") else _num(c.points)
        out.append(f"| {_cell(c.title)} | {points} | {_num(c.max_points)} | "
                   f"{_cell(c.status)} | {_cell(c.message)} |")
    return [*out, ""]


def _flags(report: Report) -> list[str]:
    flags = report.review.flags if report.review else []
    if not flags:
        return []
    green = [f for f in flags if f.kind == "green"]
    red = [f for f in flags if f.kind != "green"]
    out = [f"## Flags: {len(green)} green, {len(red)} red", ""]
    for flag in red + green:
        mark = "GREEN" if flag.kind == "green" else "RED"
        where = f" at {_span(flag.where)}" if flag.where else ""
        out.append(f"- **{mark}** {_cell(flag.label or flag.id)}{where}: "
                   f"{_cell(flag.evidence)}")
    return [*out, ""]


def _questions(report: Report) -> list[str]:
    questions = report.review.questions if report.review else []
    if not questions:
        return []
    out = ["## Explain-your-code: questions for the call", ""]
    for n, q in enumerate(questions, 1):
        out.append(f"{n}. {_cell(q.text)}")
        detail = [f"_why:_ {_cell(q.why)}"] if q.why else []
        if q.where:
            detail.append(f"_where:_ {_span(q.where)}")
        if detail:
            out += ["", "   " + "; ".join(detail)]
        if q.excerpt:
            out += ["", *_indented_block(q.excerpt, "   ")]
        out.append("")
    return out


def _checks(report: Report) -> list[str]:
    if not report.checks:
        return []
    out = ["## Checks", ""]
    # Failures first; sorted() is stable, so checks keep their order within a status.
    ordered = sorted(report.checks, key=lambda c: (_STATUS_ORDER.index(c.status)
                                                   if c.status in _STATUS_ORDER else 9))
    for check in ordered:
        name = check.title or check.id
        mark = _STATUS_MARK.get(check.status, str(check.status).upper())
        out += [f"### {mark} {_span(check.id)}: {name} "
                f"({_num(check.points)}/{_num(check.max_points)})", ""]
        if check.message:
            out += [check.message, ""]
        if check.blocked_by:
            out += [f"Blocked by {_span(check.blocked_by)}.", ""]
        if check.evidence:
            lines = _evidence(check.evidence)
            if lines:
                out += ["<details><summary>evidence</summary>", "", *lines, "", "</details>",
                        ""]
    return out


def _timings(report: Report) -> list[str]:
    if not report.timings:
        return []
    out = ["## Timings", "", "| stage | seconds |", "| --- | ---: |"]
    out += [f"| {_cell(k)} | {float(v):.2f} |" for k, v in report.timings.items()]
    return [*out, ""]


def _environment(report: Report) -> list[str]:
    env = report.environment
    out = ["## Environment", ""]
    for key, value in (("grader_version", env.grader_version), ("python", env.python),
                       ("docker_version", env.docker_version), ("base_image", env.base_image)):
        if value:
            out.append(f"- {key}: {value}")
    for name, image_id in env.images.items():
        out.append(f"- image {name}: {_span(str(image_id)[:19])}")
    if env.images_built:
        out.append(f"- built during this run: {', '.join(env.images_built)}")
    return [*out, ""] if len(out) > 2 else []


def render_markdown(report: Report) -> str:
    """The reviewer's reading of a report. Same report in, same text out."""
    out = (_header(report) + _summary(report) + _recommendation(report) + _key_figures(report)
           + _criteria(report) + _flags(report) + _questions(report) + _checks(report))
    # A rejected report shows its first message as the refusal above; list any others here.
    messages = report.messages[1:] if report.status == "rejected" else report.messages
    if messages:
        out += ["## Messages", "", *(_message_line(m) for m in messages), ""]
    out += _timings(report) + _environment(report)
    if report.artifacts:
        out += ["## Artifacts", ""]
        out += [f"- [{name}]({path})" for name, path in report.artifacts.items()]
        out.append("")
    version = report.environment.grader_version
    by = f"grader {version}" if version else "grader"
    out.append(f"_Generated by {by} at {report.generated_at or 'an unknown time'}._")
    return "\n".join(out) + "\n"
