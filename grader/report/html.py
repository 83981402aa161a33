"""A report as one self-contained HTML file (no network needed to view it), for reviewers.

Total and criteria with bars, flags, the explain-your-code questions with code excerpts, every
check with its evidence expandable (HTTP exchanges, tracebacks, metric tables), the executed
notebook (sandboxed iframe), log tails, timings and the environment. Printable: every section
expands before printing. Everything from the report is HTML-escaped (Jinja2 autoescape); the
executed notebook is shown through `srcdoc` in an iframe with scripts disabled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from grader.report.figures import key_figures
from grader.report.model import Report
from grader.rubric import CriterionScore
from grader.text import clean, number

TEMPLATES = Path(__file__).with_name("templates")
_STATUS_ORDER = ("failed", "error", "not_run", "skipped", "passed")
_LOGS = ("server.log", "train.log", "dependency-install.log", "grader-error.txt")
_LOG_TAIL = 20_000
_NOTEBOOK_CAP = 8 * 1024 * 1024
_TEXT_CAP = 6000


def _num(value: Any) -> str:
    return number(value)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    return text if len(text) <= _TEXT_CAP else text[:_TEXT_CAP] + "\n[truncated]"


def _exchange(item: Any) -> str:
    if not isinstance(item, dict):
        return _text(item)
    req, resp = item.get("request") or {}, item.get("response") or {}
    lines = [f"{req.get('method', '?')} {req.get('path', '?')}"]
    if req.get("body") not in (None, ""):
        lines.append(_text(req.get("body")))
    lines.append(f"-> {resp.get('status', '?')}")
    if resp.get("body") not in (None, ""):
        lines.append(_text(resp.get("body")))
    return "\n".join(lines)


def _blocks(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Evidence as display blocks: flat scalars in one table, the rest as titled text."""
    rows: list[tuple[str, str]] = []
    blocks: list[dict[str, Any]] = []
    for key, value in evidence.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, str | int | float | bool) and len(str(value)) <= 120 \
                and "\n" not in str(value):
            rows.append((key, _num(value)))
        elif key == "exchanges" and isinstance(value, list):
            blocks.append({"kind": "text", "title": "HTTP exchanges",
                           "text": "\n\n".join(_exchange(x) for x in value[-5:])})
        elif key == "tracebacks" and isinstance(value, list):
            for tb in value[:5]:
                if isinstance(tb, dict):
                    blocks.append({"kind": "text", "title": f"traceback (cell {tb.get('cell')})",
                                   "text": _text(tb.get("traceback", ""))})
        elif isinstance(value, dict) and all(isinstance(v, str | int | float | bool)
                                             for v in value.values()) and len(value) <= 30:
            blocks.append({"kind": "table", "rows": [(k, _num(v)) for k, v in value.items()]})
        else:
            blocks.append({"kind": "text", "title": key, "text": _text(value)})
    return ([{"kind": "table", "rows": rows}] if rows else []) + blocks


def _bar_class(criterion: CriterionScore) -> str:
    if not criterion.max_points or criterion.status in ("pending", "unverified"):
        return ""
    share = criterion.points / criterion.max_points
    return "ok" if share >= 0.75 else "warn" if share >= 0.5 else "bad"


def _read_artifact(report_dir: Path | None, rel: str, cap: int) -> str | None:
    if report_dir is None:
        return None
    path = (report_dir / rel).resolve()
    if report_dir.resolve() not in path.parents or not path.is_file():
        return None
    size = path.stat().st_size
    with path.open("rb") as f:
        if size > cap:
            f.seek(size - cap)
        return clean(f.read().decode("utf-8", "replace"))


def render_html(report: Report, report_dir: Path | None = None) -> str:
    """The report as HTML; with `report_dir`, artifacts (notebook, logs) are embedded."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        ["html", "j2"], default=True), keep_trailing_newline=True)
    total = report.total
    checks = sorted(report.checks, key=lambda c: _STATUS_ORDER.index(c.status)
                    if c.status in _STATUS_ORDER else 9)
    review = report.review
    flags = sorted(review.flags if review else [], key=lambda f: f.kind != "red")
    notebook = None
    if "executed.html" in report.artifacts:
        notebook = _read_artifact(report_dir, report.artifacts["executed.html"], _NOTEBOOK_CAP)
    logs = [(name, text) for name in _LOGS if name in report.artifacts
            for text in [_read_artifact(report_dir, report.artifacts[name], _LOG_TAIL)] if text]
    environment = report.environment
    env_rows: list[tuple[str, str]] = [
        (k, str(v)) for k, v in (("grader_version", environment.grader_version),
                                 ("python", environment.python),
                                 ("docker_version", environment.docker_version),
                                 ("base_image", environment.base_image)) if v]
    env_rows += [(f"image {k}", str(v)[:19]) for k, v in environment.images.items()]
    percent = float(total.percent)
    challenge = report.challenge
    return env.get_template("report.html.j2").render(
        candidate=report.submission.candidate or "?",
        submission_id=report.submission.id,
        challenge_title=(challenge.title or challenge.id) if challenge else "?",
        challenge_id=challenge.id if challenge else "?",
        challenge_version=challenge.version_text if challenge else "?",
        track=challenge.track if challenge else "?", status=report.status,
        generated_at=report.generated_at, percent=_num(percent),
        percent_clamped=max(0.0, min(100.0, percent)),
        grade_class="ok" if percent >= 75 else "warn" if percent >= 50 else "bad",
        points=_num(total.points), max_points=_num(total.max_points),
        pending=_num(total.pending_max_points) if total.pending_max_points else "",
        bonus=_num(total.bonus_points) if total.bonus_points else "",
        messages=report.messages, capped_by=list(total.capped_by),
        recommendation=report.recommendation,
        criteria=[{"title": c.title, "status": c.status, "message": c.message,
                   "points_text": c.status if c.status in ("pending", "unverified")
                   else _num(c.points),
                   "max_text": _num(c.max_points), "bar_class": _bar_class(c),
                   "share": 0 if not c.max_points or c.status in ("pending", "unverified") else
                   max(0.0, min(100.0, 100 * c.points / c.max_points))}
                  for c in report.criteria],
        flags=flags, green_count=sum(f.kind == "green" for f in flags),
        red_count=sum(f.kind != "green" for f in flags),
        questions=review.questions if review else [],
        checks=[{"id": c.id, "status": c.status, "message": c.message,
                 "status_text": c.status.replace("_", " "), "blocked_by": c.blocked_by,
                 "title": c.title, "points_text": _num(c.points),
                 "max_text": _num(c.max_points),
                 "open": c.status in ("failed", "error") and i < 8,  # failures at a glance
                 "blocks": _blocks(c.evidence)} for i, c in enumerate(checks)],
        failed_count=sum(c.status in ("failed", "error") for c in checks),
        not_run_count=sum(c.status == "not_run" for c in checks),
        notebook=notebook, logs=logs, key_figures=key_figures(report),
        timings=[(k, f"{float(v):.2f}") for k, v in report.timings.items()],
        environment=env_rows, artifacts=list(report.artifacts.items()),
        grader_version=environment.grader_version)
