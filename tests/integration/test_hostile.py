"""The hostile suite: submissions written to break the grader, each graded for real.

A case is a folder under tests/hostile/<carrier>/ holding `case.yaml` and the files it lays
over its clean carrier (a reference solution): the wordfreq test challenge's for the cheap
cases, the FastAPI backend reference for the server cases. tests/hostile/intake/ holds
archives built by this module (bombs, traversal, links, a manifest nested past YAML's reach).

Every case asserts, besides its own expectations (validate's `fails`, `passes`, `messages`,
`red_flags`, as for challenge solutions):
- the report: written, valid, status `graded` (never `error`: candidate data never makes
  grader fail, exit 1), and no control character in report.json/.md/.html;
- the score against the carrier: `vs_carrier: [low, high]` percent points from the carrier's
  score ([0, 0]: the attack gained and lost nothing, i.e. containment held);
- the time bound: the sandbox time (timings.track without the challenge's own image builds)
  stays within the challenge's grading_seconds plus a margin for the final clean-up;
- report.json under 2 MB whatever the submission wrote;
- no container, volume or network left (the autouse fixture of tests/integration/conftest.py).

The classes of issues 15 and 16 that live in a track's own data (notebook figure records, MLE
probes, partial credit) are graded as challenge solutions (tests/integration/test_solutions.py)
and listed in docs/security.md.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.challenge import Challenge, load_challenge
from grader.errors import EXIT_OK, EXIT_REJECTED
from grader.pipeline import Grader
from grader.report import Report
from grader.text import has_control
from grader.validate import check_report
from tests.challenge_overrides import OVERRIDES
from tests.conftest import ROOT, TEST_CHALLENGE
from tests.integration.graded import graded_solution

HOSTILE = ROOT / "tests" / "hostile"
CHALLENGES = {"wordfreq": TEST_CHALLENGE, "backend": ROOT / "challenges" / "backend"}
CARRIERS = {"wordfreq": TEST_CHALLENGE / "solutions" / "reference",
            "backend": ROOT / "challenges" / "backend" / "solutions" / "fastapi-reference"}
#: Seconds allowed past grading_seconds: the run cut at the deadline is killed, its files
#: collected, a service stopped (up to 5 s) and everything removed.
TIME_MARGIN = 20.0
REPORT_JSON_MAX = 2 * 1024 * 1024

CASES = sorted((p.parent.parent.name, p.parent.name)
               for p in HOSTILE.glob("*/*/case.yaml") if p.parent.parent.name in CARRIERS)
INTAKE_CASES = sorted(p.parent.name for p in (HOSTILE / "intake").glob("*/case.yaml"))


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (merged(out[key], value) if isinstance(value, dict)
                    and isinstance(out.get(key), dict) else value)
    return out


def challenge_for(carrier: str, extra: dict[str, Any] | None = None) -> Challenge:
    folder = CHALLENGES[carrier]
    return load_challenge(folder, merged(OVERRIDES.get(folder.name, {}), extra or {}))


def grade(challenge: Challenge, submission: Path, out: Path) -> tuple[int, Report, Path]:
    outcome = Grader(out_dir=out, challenge=challenge, store=None).grade(submission)
    return outcome.exit_code, outcome.report, outcome.report_dir


def carrier_report(carrier: str, out: Path) -> Report:
    """The clean carrier's grading: the same one test_solutions holds to expected.yaml
    (tests/integration/graded.py), once per worker."""
    graded = graded_solution(CHALLENGES[carrier], CARRIERS[carrier].name, out)
    assert graded.exit_code == EXIT_OK and graded.report.status == "graded", \
        graded.report.checks
    return graded.report


def assemble(carrier: str, case: Path, dest: Path) -> Path:
    """The carrier with the case's files laid over it."""
    shutil.copytree(CARRIERS[carrier], dest)
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_file() and rel.as_posix() != "case.yaml":
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)
    return dest


def assert_clean_reports(report_dir: Path) -> None:
    for name in ("report.json", "report.md", "report.html"):
        text = (report_dir / name).read_text(encoding="utf-8")
        assert not has_control(text), (name, [c for c in text if has_control(c)][:5])
    size = (report_dir / "report.json").stat().st_size
    assert size <= REPORT_JSON_MAX, f"report.json is {size:,} bytes"


@pytest.mark.parametrize(("carrier", "name"), CASES, ids=[f"{c}/{n}" for c, n in CASES])
def test_hostile_submission(carrier: str, name: str, tmp_path: Path,
                            docker_client: object) -> None:
    folder = HOSTILE / carrier / name
    case = yaml.safe_load((folder / "case.yaml").read_text())
    expect = case["expect"]
    clean = carrier_report(carrier, tmp_path / "carrier")
    challenge = challenge_for(carrier, case.get("challenge"))
    submission = assemble(carrier, folder, tmp_path / "submission")

    code, report, report_dir = grade(challenge, submission, tmp_path / "out")

    assert code == EXIT_OK, (code, report.checks)
    assert_clean_reports(report_dir)
    low, high = expect["vs_carrier"]
    percent_range = [round(clean.total.percent + low, 2), round(clean.total.percent + high, 2)]
    problems = check_report(report, {**expect, "percent": percent_range})
    assert not problems, (name, report.total.percent, clean.total.percent, problems)
    sandbox_seconds = report.timings["track"] - report.timings.get("challenge_images", 0.0)
    assert sandbox_seconds <= challenge.grading_seconds + TIME_MARGIN, report.timings


# -- intake: archives no one should unpack as they ask ------------------------------------
def _entry(name: str, data: bytes, mode: int | None = None) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.external_attr = mode << 16
    return info, data


def build_archive(kind: str) -> bytes:
    """The hostile archive `kind` names, around a valid wordfreq submission."""
    manifest = (CARRIERS["wordfreq"] / "submission.yaml").read_bytes()
    program = (CARRIERS["wordfreq"] / "wordfreq.py").read_bytes()
    entries = [_entry("submission.yaml", manifest), _entry("wordfreq.py", program)]
    if kind == "zip-bomb":          # 1 GiB of zeros in one entry (about 1 MB packed)
        entries.append(_entry("data.bin", b"\0" * (1024**3)))
    elif kind == "zip-slip":
        entries.append(_entry("../../../../tmp/grader-owned.py", b"print('owned')\n"))
    elif kind == "symlink":         # a link entry pointing at the host's files
        entries.append(_entry("secrets", b"/etc/shadow", mode=0o120777))
    elif kind == "nested-manifest":  # YAML nested past any recursive reader
        entries[0] = _entry("submission.yaml", b"challenge: wordfreq\nx: " + b"[" * 50_000
                            + b"]" * 50_000 + b"\n")
    elif kind == "many-files":
        entries += [_entry(f"junk/{i}.txt", b"") for i in range(60_000)]
    elif kind == "absolute-path":
        entries.append(_entry("/etc/cron.d/grader", b"* * * * * root id\n"))
    elif kind == "control-filename":
        entries.append(_entry("notes\x1b[2J\u202egnp.py", b"x = 1\n"))
    elif kind == "encrypted":  # zipfile writes no encrypted entry: its flag is set below
        entries.append(_entry("secret.py", b"x = 1\n"))
    elif kind == "not-a-zip":
        return bytes(range(256)) * 64
    else:
        raise ValueError(kind)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    raw = bytearray(buf.getvalue())
    if kind == "encrypted":  # the last entry's "encrypted" bit, in its local and central header
        local, central = raw.rfind(b"PK\x03\x04"), raw.rfind(b"PK\x01\x02")
        raw[local + 6] |= 0x1
        raw[central + 8] |= 0x1
    return bytes(raw)


@pytest.mark.parametrize("name", INTAKE_CASES)
def test_hostile_archive_is_refused_with_its_reason(name: str, tmp_path: Path) -> None:
    case = yaml.safe_load((HOSTILE / "intake" / name / "case.yaml").read_text())
    archive = tmp_path / f"{name}.zip"
    archive.write_bytes(build_archive(case["archive"]))

    code, report, report_dir = grade(challenge_for("wordfreq"), archive, tmp_path / "out")

    assert code == EXIT_REJECTED
    assert report.status == "rejected"
    text = json.dumps(report.to_dict())
    assert case["expect"]["rule"] in text, text[:2000]
    assert_clean_reports(report_dir)
    assert not Path("/tmp/grader-owned.py").exists()
