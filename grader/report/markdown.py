"""Markdown rendering of a report, for reading in a terminal, an editor or a code review.

Pure and deterministic: the same report renders to the same text.
"""

from __future__ import annotations

import json
from typing import Any

from grader.report.model import Report

_BLOCK_CAP = 4000
_STATUS_ORDER = ("failed", "error", "skipped", "passed")
_STATUS_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _block(text: str) -> list[str]:
    if len(text) > _BLOCK_CAP:
        text = text[:_BLOCK_CAP] + "\n[truncated]"
    fence = "````" if "```" in text else "```"
    return [fence, text.rstrip("\n"), fence]


def _evidence(evidence: dict[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in evidence.items():
        if value in (None, "", {}, []):
            continue
        if isinstance(value, dict):
            lines.append(f"{indent}- {key}:")
            lines += _evidence(value, indent + "  ")
        elif isinstance(value, str) and ("\n" in value or len(value) > 80):
            lines.append(f"{indent}- {key}:")
            lines += [f"{indent}  {line}" if line else "" for block in _block(value)
                      for line in block.split("\n")]
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            lines.append(f"{indent}- {key}:")
            for item in value:
                text = json.dumps(item, indent=2, ensure_ascii=False)
                lines += [f"{indent}  {line}" if line else "" for block in _block(text)
                          for line in block.split("\n")]
        elif isinstance(value, list):
            lines.append(f"{indent}- {key}: {json.dumps(value, ensure_ascii=False)[:400]}")
        else:
            lines.append(f"{indent}- {key}: {value}")
    return lines


def render_markdown(report: Report) -> str:
    sub, chal, total = report.submission, report.challenge, report.total
    who = sub.get("candidate") or sub.get("id", "submission")
    title = f"# {who}: {chal.get('title') or chal.get('id') or 'unknown challenge'}"
    out: list[str] = [title, ""]
    out.append(f"- submission: `{sub.get('id')}` (sha256 `{str(sub.get('sha256', ''))[:16]}`)"
               f" from `{sub.get('source')}`")
    if chal:
        out.append(f"- challenge: `{chal.get('id')}` v{chal.get('version')} "
                   f"({chal.get('track')} track)")
    out.append(f"- status: **{report.status}**")
    out.append("")

    if report.status == "rejected":
        text = report.messages[0]["text"] if report.messages else "no reason recorded"
        rule = report.messages[0].get("rule") if report.messages else None
        out += [f"**Submission rejected:** {text}", ""]
        if rule:
            out += [f"Rule: `{rule}`. Score: 0 (nothing was run).", ""]
    else:
        pending = total.get("pending_max_points") or 0
        line = (f"**Total: {_num(total['points'])} / {_num(total['max_points'])} points "
                f"({_num(total['percent'])}%)**")
        if pending:
            line += f", plus {_num(pending)} points pending the reviewer's manual scoring"
        if total.get("bonus_points"):
            line += f", and {_num(total['bonus_points'])} bonus points"
        out += [line, ""]

    if report.criteria:
        out += ["## Criteria", "", "| criterion | points | max | status | notes |",
                "| --- | ---: | ---: | --- | --- |"]
        for c in report.criteria:
            points = "pending" if c["status"] == "pending" else _num(c["points"])
            out.append(f"| {_cell(c['title'])} | {points} | {_num(c['max_points'])} | "
                       f"{c['status']} | {_cell(c.get('message', ''))} |")
        out.append("")

    if report.checks:
        out += ["## Checks", ""]
        ordered = sorted(report.checks, key=lambda c: (_STATUS_ORDER.index(c["status"])
                                                       if c["status"] in _STATUS_ORDER else 9))
        for check in ordered:
            name = check.get("title") or check["id"]
            out.append(f"### {_STATUS_MARK.get(check['status'], check['status'])} "
                       f"`{check['id']}`: {name} ({_num(check['points'])}/"
                       f"{_num(check['max_points'])})")
            out.append("")
            if check.get("message"):
                out += [check["message"], ""]
            if check.get("evidence") and check["status"] != "passed":
                out += ["<details><summary>evidence</summary>", ""]
                out += _evidence(check["evidence"])
                out += ["", "</details>", ""]

    if report.messages and report.status != "rejected":
        out += ["## Messages", ""]
        out += [f"- {m.get('level', 'info')}: {m.get('text')}" for m in report.messages]
        out.append("")

    if report.timings:
        out += ["## Timings", "", "| stage | seconds |", "| --- | ---: |"]
        out += [f"| {_cell(k)} | {v:.2f} |" for k, v in report.timings.items()]
        out.append("")

    env = report.environment
    if env:
        out += ["## Environment", ""]
        for key in ("grader_version", "python", "docker_version", "base_image"):
            if env.get(key):
                out.append(f"- {key}: {env[key]}")
        for name, image_id in (env.get("images") or {}).items():
            out.append(f"- image {name}: `{str(image_id)[:19]}`")
        out.append("")
    if report.artifacts:
        out += ["## Artifacts", ""]
        out += [f"- [{name}]({path})" for name, path in report.artifacts.items()]
        out.append("")
    out.append(f"_Generated by grader {env.get('grader_version', '')} at "
               f"{report.generated_at}._")
    return "\n".join(out) + "\n"
