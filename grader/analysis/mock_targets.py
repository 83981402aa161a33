"""What a name that a test replaces with a mock stands for, from its dotted parts and the
module it comes from (grader.analysis.test_mocks finds the replacements): the data layer
(db, session, repository, storage, crud, a Django manager, a models module...), the current
user (authentication), or something else. External services (HTTP clients, mail, clocks,
randomness, task queues) are legitimate to mock and never count.
"""

from __future__ import annotations

import re

_EXTERNAL = {"requests", "httpx", "urllib", "urllib3", "urlopen", "smtplib", "smtp", "email",
             "mail", "send_mail", "send_email", "boto3", "botocore", "time", "sleep",
             "datetime", "date", "now", "utcnow", "today", "uuid", "uuid1", "uuid4", "random",
             "secrets", "token_urlsafe", "token_hex", "logging", "logger", "log", "environ",
             "getenv", "os", "stripe", "twilio", "slack", "sentry_sdk", "webhook", "notify",
             "clock", "perf_counter", "monotonic", "socket", "subprocess", "clientsession",
             "asyncclient", "client_session", "http_client", "mailer", "sendgrid", "celery",
             "delay", "apply_async"}
_DATA = re.compile(r"^(get_|async_)?(db|database|session|sessions|sessionlocal|session_local|"
                   r"conn|connection|connect|cursor|engine|pool|store|storage|repo|repository|"
                   r"repositories|dao|crud|quer(?:y|ies)|objects|models|orm|sqlite3?|"
                   r"sqlalchemy|aiosqlite|collection|execute|executemany)$|"
                   r"repositor|_repo$|^repo_|_db$|^db_|_dao$|storage|_store$|^store_|crud|"
                   r"database|_session$|^session_|_query$|_queries$")
_AUTH = re.compile(r"current_user|get_user_from|authenticate|^auth|_auth$|auth_|login_required|"
                   r"token_required|verify_token|decode_token|jwt|require_user|get_current|"
                   r"identity|principal|permission|verify_password|check_password|"
                   r"user_loader|request_loader|login_manager|_get_user$|^user$")


def classify(target: str, origin: str = "") -> str | None:
    """"data layer", "current user" or None (an external service, or something else) for a
    replaced dotted name; `origin` is the module it was imported from, when known."""
    parts = [p for p in re.split(r"[.\[\]'\"()]+", target.lower()) if p]
    if not parts or any(p in _EXTERNAL for p in parts):
        return None
    modules = parts[:-1] + [p for p in origin.lower().split(".") if p]
    if any(_DATA.search(p) for p in modules):
        return "data layer"
    if _AUTH.search(parts[-1]):
        return "current user"
    if _DATA.search(parts[-1]):
        return "data layer"
    return "current user" if any(_AUTH.search(p) for p in parts) else None
