"""Batch grading helpers: which submissions a batch holds, and the cohort summary.

`expand_paths`: a folder that is not itself a submission (no submission.yaml at its top or in
its single top folder) stands for the zips and folders inside it. `write_summary` writes
`summary.csv` and `index.html` in the output folder: every submission ranked by score, with
its points per criterion, flags, how many checks failed and how many could not run, and a link
to its report. A rejected or failed submission is
listed too (score 0, its status), never dropped. A text cell that a spreadsheet would read
as a formula (a candidate's name from their submission.yaml such as `=HYPERLINK(...)`) is
written with a leading apostrophe, so opening summary.csv runs nothing.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

from grader.report import Report

SUMMARY_CSV = "summary.csv"
INDEX_HTML = "index.html"


def _is_submission_folder(path: Path) -> bool:
    if (path / "submission.yaml").is_file():
        return True
    entries = [p for p in path.iterdir() if not p.name.startswith(".")]
    return len(entries) == 1 and entries[0].is_dir() and (entries[0] / "submission.yaml"
                                                          ).is_file()


def expand_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink() and not _is_submission_folder(path):
            out += sorted(p for p in path.iterdir() if not p.name.startswith(".")
                          and (p.suffix == ".zip" or (p.is_dir() and not p.is_symlink())))
        else:
            out.append(path)
    return out


def _version(report: Report) -> str:
    """The challenge version a report was graded against: `1 (kit 3f2a9c1b5d7e)`, with `?`
    when the kit the submission was made on is unknown."""
    chal = report.challenge
    if chal is None:
        return ""
    text = chal.version + (f" (kit {chal.kit_digest[:12]})" if chal.kit_digest else "")
    return text + (" ?" if chal.version_known is False else "")


def _rank_percent(report: Report) -> float:
    """What a cohort is ranked by: the profile-weighted score when a role profile was applied
    (grader/recommend.py), else the total."""
    rec = report.recommendation
    return float(rec.percent if rec is not None else report.total.percent)


def _profile_cells(report: Report, profiled: bool) -> list[str]:
    if not profiled:
        return []
    rec = report.recommendation
    return [rec.profile, str(rec.percent), rec.verdict] if rec else ["", "", ""]


def cohort_warnings(reports: list[tuple[Report, Path]], least: int = 4) -> list[str]:
    """A challenge with fewer than `least` graded candidates: the hiring guides ask to meet 4-5
    before deciding, so a ranking of fewer says little."""
    counts: dict[str, int] = {}
    for report, _ in reports:
        if report.status == "graded" and report.challenge is not None:
            counts[report.challenge.id] = counts.get(report.challenge.id, 0) + 1
    return [f"only {n} candidate(s) graded for {cid}: meet at least {least} before deciding "
            "(a ranking of fewer says little)" for cid, n in sorted(counts.items()) if n < least]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: str) -> str:
    """`cell` as a spreadsheet will not run it: text starting like a formula gets a leading
    apostrophe (numbers, negative ones included, stay as they are)."""
    if not cell.startswith(_FORMULA_START):
        return cell
    try:
        float(cell)
        return cell
    except ValueError:
        return "'" + cell


def _rows(reports: list[tuple[Report, Path]]) -> tuple[list[str], list[list[str]]]:
    criteria: list[str] = []
    for report, _ in reports:
        for c in report.criteria:
            if c.status != "pending" and c.title not in criteria:
                criteria.append(c.title)
    profiled = any(r.recommendation for r, _ in reports)
    ranked = sorted(reports, key=lambda r: (-_rank_percent(r[0]), r[0].submission.id))
    rows = []
    for rank, (report, folder) in enumerate(ranked, 1):
        points = {c.title: c.points for c in report.criteria}
        review = report.review
        rows.append([str(rank), report.submission.candidate or "", report.submission.id,
                     report.challenge.id if report.challenge else "",
                     _version(report), report.status, str(report.total.percent),
                     str(report.total.points), str(report.total.max_points),
                     str(review.green_flags) if review else "",
                     str(review.red_flags) if review else "",
                     str(sum(c.status in ("failed", "error") for c in report.checks)),
                     str(sum(c.status == "not_run" for c in report.checks)),
                     *_profile_cells(report, profiled),
                     *[str(points.get(t, "")) for t in criteria],
                     f"{folder.name}/report.html"])
    header = ["rank", "candidate", "submission", "challenge", "version", "status", "percent",
              "points", "max_points", "green_flags", "red_flags", "failed", "not_run",
              *(["profile", "profile_percent", "recommendation"] if profiled else []),
              *criteria, "report"]
    return header, rows


def write_summary(out_dir: Path, reports: list[tuple[Report, Path]],
                  similar: list[dict[str, Any]] | None = None) -> tuple[Path, Path]:
    """summary.csv and index.html for a cohort; `similar`: flagged pairs (similarity)."""
    header, rows = _rows(reports)
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_safe(cell) for cell in header])
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    csv_path = out_dir / SUMMARY_CSV
    csv_path.write_text(buf.getvalue(), encoding="utf-8")

    e = html.escape
    cells = "".join(f"<th>{e(h)}</th>" for h in header[:-1])
    body = []
    for row in rows:
        link = f'<a href="{e(row[-1])}">{e(row[1] or row[2])}</a>'
        rest = "".join(f"<td>{e(v)}</td>" for v in row[2:-1])
        body.append(f"<tr><td>{e(row[0])}</td><td>{link}</td>{rest}</tr>")
    pairs = ""
    if similar:
        items = []
        for p in similar:
            earlier = p.get("earlier_cohort") or []
            note = f" (earlier cohort: {', '.join(map(str, earlier))})" if earlier else ""
            sides = "".join(
                f"<tr><td><code>{e(str(f.get('a')))}</code><pre>{e(str(f.get('a_excerpt', '')))}"
                f"</pre></td><td><code>{e(str(f.get('b')))}</code>"
                f"<pre>{e(str(f.get('b_excerpt', '')))}</pre></td></tr>"
                for f in p.get("fragments", [])[:3])
            items.append(
                f"<h3>{e(str(p.get('a')))} and {e(str(p.get('b')))}: "
                f"{float(p.get('score', 0)):.0%} of fingerprints shared{e(note)}</h3>"
                f"<table class=pair><tr><th>{e(str(p.get('a')))}</th>"
                f"<th>{e(str(p.get('b')))}</th></tr>{sides}</table>")
        pairs = "<h2>Unusually similar pairs</h2>" + "".join(items)
    warnings = "".join(f"<p><b>warning</b>: {e(w)}</p>" for w in cohort_warnings(reports))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort: {len(rows)} submissions</title>
<style>body{{font:14px/1.4 system-ui,sans-serif;margin:24px}}table{{border-collapse:collapse}}
th,td{{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}}
table.pair td{{width:50%}} pre{{background:#f6f8fa;padding:6px;white-space:pre-wrap}}</style>
</head>
<body><h1>Cohort: {len(rows)} submission(s)</h1>{warnings}
<table><tr>{cells}</tr>
{"".join(body)}
</table>{pairs}
<p>Also as <a href="{SUMMARY_CSV}">{SUMMARY_CSV}</a>.</p></body></html>
"""
    index = out_dir / INDEX_HTML
    index.write_text(page, encoding="utf-8")
    return csv_path, index
