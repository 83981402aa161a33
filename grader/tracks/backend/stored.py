"""Where and how the server keeps the passwords it was given: after the run, its work folder
comes back as a tar, and the files the server wrote are searched (grader.analysis) for the
hidden suite's password in clear or as an unsalted fast hash (security.password-storage), and
for the stored hashes' format and work factor (security.password-hashing: salted but fast
hashes, slow hashes at too low a cost)."""

from __future__ import annotations

from typing import Any

from grader.analysis.password_code import password_hashing_code
from grader.analysis.password_hashes import Found, stored_hashes
from grader.analysis.stored_secrets import stored_passwords
from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.sandbox.archive import read_tar_files
from grader.tracks.backend.config import BackendConfig
from grader.tracks.base import GradingContext
from grader.tracks.steps.service import Service

PASSWORDS_TITLE = "Passwords are stored salted and slow-hashed, never in clear"
HASHING_TITLE = "Password hashes are slow, at a sound work factor"
HASHING_POINTS = 2.0


def _server_files(ctx: GradingContext[BackendConfig], service: Service,
                  checks: list[CheckResult]) -> tuple[dict[str, bytes] | None, str, str]:
    """(the files of the server's work folder, why not, blocked_by)."""
    by_id = {c.id: c for c in checks}
    register = by_id.get("http.contract.register")
    if register is None or register.status != "passed":
        blocked = "runtime.server-starts" if by_id["runtime.server-starts"].status != \
            "passed" else "http.contract.register"
        return None, "no user was registered to look for", blocked
    final = service.final
    raw = final.files.get("./") if final is not None else None
    if raw is None:
        why = final.file_errors.get("./", "not read back") if final else "not read back"
        return None, f"the server's work folder could not be inspected ({why})", ""
    files, problem = read_tar_files(raw, int(ctx.config.data_cap_mb * 2**20))
    if problem:
        return None, f"the server's work folder could not be inspected ({problem})", ""
    return files, "", ""


def registered_usernames(users_json: bytes | None) -> list[str] | None:
    """The usernames the hidden suite registered (users.json of its run), or None."""
    data = json_or_none(users_json)
    names = data.get("usernames") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return None
    return [n for n in names if isinstance(n, str) and 4 <= len(n) <= 200][:50]


def stored_password_checks(ctx: GradingContext[BackendConfig], service: Service,
                           checks: list[CheckResult], handed: set[str],
                           usernames: list[str] | None) -> list[CheckResult]:
    """security.password-storage and security.password-hashing, from the server's data files
    read back after it stopped."""
    files, why, blocked = _server_files(ctx, service, checks)
    if files is None:
        return [CheckResult.not_run("security.password-storage", why, blocked_by=blocked,
                                    title=PASSWORDS_TITLE),
                CheckResult.not_run("security.password-hashing", why, blocked_by=blocked,
                                    title=HASHING_TITLE, max_points=HASHING_POINTS)]
    passwords = ctx.config.suite_passwords
    found = stored_passwords(files, passwords, skip=handed)
    written = sorted(set(files) - handed)[:20]
    if found:
        first = found[0]
        storage = CheckResult.failed(
            "security.password-storage", f"the password a user registered with is stored "
            f"{first['form']} in {first['file']} (byte {first['offset']}): anyone who "
            "reads the database can log in as every user", title=PASSWORDS_TITLE,
            evidence={"findings": found, "files_written": written})
        hashing = CheckResult.unverified(
            "security.password-hashing", f"the password is stored {first['form']} "
            "(security.password-storage): there is no hash's cost to judge",
            title=HASHING_TITLE)
        return [storage, hashing]
    storage = CheckResult.passed(
        "security.password-storage", f"none of the {len(written)} file(s) the server "
        "wrote holds a registered password in clear or as an unsalted fast hash",
        title=PASSWORDS_TITLE, evidence={"files_written": written})
    hashes = stored_hashes(files, passwords, skip=handed, usernames=usernames)
    code = password_hashing_code(ctx.submission.root, ctx.candidate_files)
    return [storage, hashing_check(hashes, len(written), code)]


def hashing_check(hashes: list[Found], written: int,
                  code: list[dict[str, object]] | None = None) -> CheckResult:
    """security.password-hashing from the hashes found, judged by the worst: a salted fast
    hash fails with nothing, a slow hash under its floor with half the points. `code`: where
    the candidate's code chooses the hasher (static evidence: the place a failure names)."""
    if not hashes:
        return CheckResult.unverified(
            "security.password-hashing", f"no password hash of a known format in the "
            f"{written} file(s) the server wrote (a hand-rolled slow hash is not recognised)",
            title=HASHING_TITLE)
    worst = hashes[0]
    same = [h for h in hashes if h.scheme == worst.scheme]
    where = f"{worst.file} (byte {worst.offset}; {len(same)} hash(es) stored this way)"
    evidence: dict[str, Any] = {"hashes": [h.to_dict() for h in hashes[:20]],
                                "schemes": sorted({h.scheme for h in hashes})}
    cost = f", {worst.cost}" if worst.cost else ""
    chosen = ""
    if code and worst.family != "slow":
        evidence["findings"] = code  # the question for the call points at the first
        chosen = f" (chosen at {code[0]['file']}:{code[0]['line']}: {code[0]['what']})"
    if worst.family == "fast":
        return CheckResult.failed(
            "security.password-hashing", f"passwords are hashed with {worst.scheme} in "
            f"{where}: {worst.why}{chosen}", title=HASHING_TITLE, max_points=HASHING_POINTS,
            evidence=evidence)
    if worst.family == "weak":
        return CheckResult.failed(
            "security.password-hashing", f"passwords are hashed with {worst.scheme}{cost} "
            f"in {where}: {worst.why}{chosen}", title=HASHING_TITLE, max_points=HASHING_POINTS,
            points=HASHING_POINTS / 2, evidence=evidence)
    note = f" ({worst.note})" if worst.note else ""
    return CheckResult.passed(
        "security.password-hashing", f"{worst.scheme}{cost} in {where}{note}",
        title=HASHING_TITLE, max_points=HASHING_POINTS, evidence=evidence)
