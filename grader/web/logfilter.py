"""Invite tokens kept out of the service's log. An invite's token is the candidate's
credential and sits in the link's path (/invite/<token>/), and Django logs the path of every
refused request (a wrong method, a 404, a CSRF refusal, a 413): this filter rewrites such a
record so it keeps the token's first six characters (the hint the reviewer's pages show, to
tell which invite it was) and drops the rest. settings.LOGGING puts it on the loggers that
write request paths (so every handler sees the record rewritten) and on the service's
handler (anything else that reaches it)."""

from __future__ import annotations

import logging
import re

HINT_CHARS = 6
_INVITE_PATH = re.compile(rf"(/invite/)([A-Za-z0-9_-]{{{HINT_CHARS}}})[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """`text` with every invite token in an /invite/ path cut to its hint."""
    return _INVITE_PATH.sub(r"\1\2...", text)


class RedactInviteTokens(logging.Filter):
    """See the module's docstring."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):     # a record whose arguments do not format
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
