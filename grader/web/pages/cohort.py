"""An opening's cohort table, as data: one row per invite with its state (invited, kit
downloaded, refused at intake, queued, grading: <stage>, graded, failed), its score, the
score with the call's manual points, the profile-weighted score and recommendation, points
per criterion (manual ones from the reviewer's scores), green flags against the role's
target (the guides' 7+), red flags, lateness and the latest decision. The page renders these
rows and the live status endpoint sends the same cells as JSON, so the two never disagree.
Rows are ranked as summary.csv ranks them: the profile-weighted score when the opening has a
role profile, else the score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.batch import cohort_warnings
from grader.db.models import Opening
from grader.errors import ChallengeConfigError
from grader.report.model import Report
from grader.web.pages import catalog
from grader.web.pages.lookup import Candidate, candidates
from grader.web.pages.scoring import call_total

GREEN_TARGET = 7            # the hiring guides' target when no role profile says otherwise
ACTIVE = ("queued", "grading")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    numeric: bool = False


@dataclass
class Cell:
    text: str = ""
    sort: float | str | None = None
    title: str = ""          # shown on hover: what the short text stands for

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "sort": self.sort, "title": self.title}


@dataclass
class Row:
    invite_id: int
    name: str
    state: str
    state_class: str
    submission_id: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    rank: float = -1.0
    #: the cells in the table's column order (what the template walks)
    line: list[tuple[Column, Cell]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.state_class in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        return {"invite": self.invite_id, "state": self.state, "state_class": self.state_class,
                "active": self.active, "submission": self.submission_id,
                "cells": {k: c.to_dict() for k, c in self.cells.items()}}


@dataclass
class Cohort:
    columns: list[Column]
    rows: list[Row]
    graded: int
    warning: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": [r.to_dict() for r in self.rows], "graded": self.graded,
                "warning": self.warning, "active": any(r.active for r in self.rows)}


def state_of(cand: Candidate) -> tuple[str, str]:
    """(what the reviewer reads, its class: invited / working / refused / queued / grading /
    graded / failed / revoked)."""
    if cand.upload is None:
        if cand.invite.revoked:
            return "revoked", "revoked"
        if cand.refused:
            return f"refused at intake ({cand.refused[-1].verdict})", "refused"
        if cand.invite.downloaded_at is not None:
            return "kit downloaded", "working"
        return "invited", "invited"
    if cand.job is not None:
        return cand.job.state_text, cand.job.state
    if cand.submission_id:
        return "graded", "graded"
    return "not queued", "failed"


def _pct(value: float | None) -> Cell:
    return Cell("" if value is None else f"{value:g} %", value)


def criteria_of(opening: Opening, reports: list[Report]) -> list[tuple[str, str, bool]]:
    """(id, title, manual) of the criteria: the challenge's rubric order, else the reports'."""
    try:
        rubric = catalog.challenge(opening.challenge).rubric
        return [(c.id, c.title, c.manual) for c in rubric]
    except ChallengeConfigError:
        seen: dict[str, tuple[str, str, bool]] = {}
        for rep in reports:
            for c in rep.criteria:
                seen.setdefault(c.id, (c.id, c.title, c.manual))
        return list(seen.values())


def caps_of(opening: Opening) -> tuple[Any, ...]:
    try:
        return catalog.challenge(opening.challenge).caps
    except ChallengeConfigError:
        return ()


def _score_cells(row: Row, cand: Candidate, rep: Report, caps: tuple[Any, ...],
                 criteria: list[tuple[str, str, bool]]) -> None:
    manual = {k: float(v.points) for k, v in cand.manual.items()}
    total = call_total(rep, manual, caps)
    row.cells["score"] = _pct(float(rep.total.percent))
    if rep.total.capped_by:
        row.cells["score"].title = "capped: " + "; ".join(rep.total.capped_by)
    row.cells["with_call"] = _pct(total.percent if total.manual_scored else None)
    rec = rep.recommendation
    row.cells["profile"] = _pct(float(rec.percent) if rec else None)
    row.cells["recommendation"] = Cell(rec.verdict_text if rec else "",
                                       rec.verdict if rec else None,
                                       "; ".join(r.text for r in rec.reasons) if rec else "")
    by_id = {c.id: c for c in rep.criteria}
    for cid, _, is_manual in criteria:
        crit = by_id.get(cid)
        if crit is None:
            continue
        if is_manual or crit.status == "pending":
            scored = cand.manual.get(cid)
            row.cells[f"crit:{cid}"] = (
                Cell(f"{scored.points:g} / {crit.max_points:g}", float(scored.points))
                if scored else Cell("pending", None, "scored after the call"))
        elif crit.status == "unverified":
            row.cells[f"crit:{cid}"] = Cell("unverified", None, crit.message)
        else:
            row.cells[f"crit:{cid}"] = Cell(f"{crit.points:g} / {crit.max_points:g}",
                                            float(crit.points), crit.message)
    review = rep.review
    flags = review.flags if review else []
    greens = [f.label for f in flags if f.kind == "green"]
    reds = [f.label for f in flags if f.kind == "red"]
    target = rec.green_flags_target if rec else GREEN_TARGET
    row.cells["green"] = Cell(f"{len(greens)} / {target}", len(greens),
                              "; ".join(greens))
    row.cells["red"] = Cell(str(len(reds)), len(reds), "; ".join(reds))
    row.rank = float(rec.percent if rec else rep.total.percent)


def row_of(cand: Candidate, caps: tuple[Any, ...],
         criteria: list[tuple[str, str, bool]]) -> Row:
    state, klass = state_of(cand)
    row = Row(invite_id=cand.invite.pk, name=cand.invite.name, state=state,
              state_class=klass, submission_id=cand.submission_id)
    row.cells["state"] = Cell(state, state, cand.job.error.splitlines()[-1][:300]
                              if cand.job and cand.job.state == "failed" and cand.job.error
                              else "")
    if cand.report is not None and cand.report.status == "graded":
        _score_cells(row, cand, cand.report, caps, criteria)
    elif cand.report is not None:           # rejected or an error in grader
        row.cells["score"] = Cell(cand.report.status, 0.0,
                                  "; ".join(m.text for m in cand.report.messages)[:300])
        row.rank = 0.0
    late = cand.upload.late_minutes if cand.upload is not None else 0
    row.cells["late"] = Cell(f"late by {late} min" if late else
                             ("on time" if cand.upload is not None else ""), late)
    decision = cand.decision
    row.cells["decision"] = Cell(decision.outcome if decision else "",
                                 decision.outcome if decision else None,
                                 (f"{decision.reason} ({decision.decided_by or 'someone'}, "
                                  f"{decision.decided_at:%Y-%m-%d %H:%M})") if decision else "")
    return row


def columns(criteria: list[tuple[str, str, bool]]) -> list[Column]:
    return [Column("state", "State"), Column("score", "Score", True),
            Column("with_call", "With the call", True), Column("profile", "Profile score", True),
            Column("recommendation", "Recommendation"),
            *[Column(f"crit:{cid}", title, True) for cid, title, _ in criteria],
            Column("green", "Green flags", True), Column("red", "Red flags", True),
            Column("late", "Late", True), Column("decision", "Decision")]


def cohort(opening: Opening) -> Cohort:
    """The opening's table (see the module's docstring)."""
    found = candidates(opening)
    reports = [c.report for c in found if c.report is not None]
    criteria = criteria_of(opening, reports)
    caps = caps_of(opening)
    rows = [row_of(c, caps, criteria) for c in found]
    rows.sort(key=lambda r: (-r.rank, r.name.lower()))
    cols = columns(criteria)
    for row in rows:
        row.line = [(col, row.cells.get(col.key) or Cell()) for col in cols]
    graded = [(c.report, c.invite.name) for c in found
              if c.report is not None and c.report.status == "graded"]
    from pathlib import Path

    warnings = cohort_warnings([(rep, Path(name)) for rep, name in graded])
    warning = ""
    if len(graded) < 4:
        warning = warnings[0] if warnings else (
            f"no candidate graded for {opening.challenge} yet: meet at least 4 before "
            "deciding (a ranking of fewer says little)")
    return Cohort(columns=cols, rows=rows, graded=len(graded), warning=warning)
