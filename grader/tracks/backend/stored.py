"""Where the server keeps the passwords it was given: after the run, its work folder comes back
as a tar and grader.analysis.stored_secrets searches the files the server wrote for the hidden
suite's password in clear or as an unsalted fast hash (security.password-storage)."""

from __future__ import annotations

from grader.analysis.stored_secrets import stored_passwords
from grader.checks import CheckResult
from grader.sandbox.archive import read_tar_files
from grader.tracks.backend.config import BackendConfig
from grader.tracks.base import GradingContext
from grader.tracks.steps.service import Service

PASSWORDS_TITLE = "Passwords are stored salted and slow-hashed, never in clear"


def password_storage(ctx: GradingContext[BackendConfig], service: Service,
                     checks: list[CheckResult], handed: set[str]) -> CheckResult:
    """security.password-storage: the server's data files, read back after it stopped,
    hold none of the suite's passwords in clear or as an unsalted fast hash."""
    cfg = ctx.config
    by_id = {c.id: c for c in checks}
    register = by_id.get("http.contract.register")
    if register is None or register.status != "passed":
        blocked = "runtime.server-starts" if by_id["runtime.server-starts"].status != \
            "passed" else "http.contract.register"
        return CheckResult.not_run("security.password-storage", "no user was registered "
                                   "to look for", blocked_by=blocked, title=PASSWORDS_TITLE)
    final = service.final
    raw = final.files.get("./") if final is not None else None
    if raw is None:
        why = final.file_errors.get("./", "not read back") if final else "not read back"
        return CheckResult.not_run("security.password-storage", f"the server's work "
                                   f"folder could not be inspected ({why})",
                                   title=PASSWORDS_TITLE)
    files, problem = read_tar_files(raw, int(cfg.data_cap_mb * 2**20))
    if problem:
        return CheckResult.not_run("security.password-storage", f"the server's work "
                                   f"folder could not be inspected ({problem})",
                                   title=PASSWORDS_TITLE)
    found = stored_passwords(files, cfg.suite_passwords, skip=handed)
    written = sorted(set(files) - handed)[:20]
    if found:
        first = found[0]
        return CheckResult.failed(
            "security.password-storage", f"the password a user registered with is stored "
            f"{first['form']} in {first['file']} (byte {first['offset']}): anyone who "
            "reads the database can log in as every user", title=PASSWORDS_TITLE,
            evidence={"findings": found, "files_written": written})
    return CheckResult.passed(
        "security.password-storage", f"none of the {len(written)} file(s) the server "
        "wrote holds a registered password in clear or as an unsalted fast hash",
        title=PASSWORDS_TITLE, evidence={"files_written": written})
