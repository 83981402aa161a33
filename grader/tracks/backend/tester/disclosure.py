"""What an HTTP answer gives away about the server behind it. Copied into the tester container
(standard library only), where the hidden suite reads every answer with it; tested on the host.

`exposure(status, body, sent)` names what one answer shows, most serious kind first:

- `debugger`: an interactive debugger, i.e. code execution for whoever reaches it: Werkzeug's
  console, its traceback page with the console, its resources (served whenever the debugger
  wraps the app), aiohttp-debugtoolbar;
- `debug page`: a framework's debug mode answering: Django's page for `DEBUG = True` (on any
  404 or 500), Starlette's or Litestar's debug traceback, Flask-DebugToolbar, Django Debug
  Toolbar;
- `traceback`, `file path`, `SQL`, `exception class`, `database error`: internals in an
  error answer (a status of 400 or more). Exception classes named with their module
  (`sqlite3.IntegrityError`) and database error text (`UNIQUE constraint failed: notes.id`)
  count in 5xx answers only: a 409 that says a username is taken may word it as it likes.

`sent` are the texts the request's body carried: those of 8 characters or more are cut out of
the answer first, so an API that echoes its input (a 422 quoting the title it refused) is not
taken for one that shows its SQL.
"""

from __future__ import annotations

import html
import re

KINDS = ("debugger", "debug page", "traceback", "file path", "SQL", "exception class",
         "database error")

_DEBUGGER = [
    ("Werkzeug's interactive debugger", re.compile(
        r"Werkzeug Debugger|createInteractiveConsole|CONSOLE_MODE\s*=|EVALEX\s*=")),
    # its page's assets, not the path a 404 may echo
    ("aiohttp-debugtoolbar", re.compile(r"aiohttp[-_]debugtoolbar|_debugtoolbar/static/")),
]
_DEBUG_PAGES = [
    ("Django's debug page (DEBUG = True)",
     re.compile(r"because you have (?:<code>)?DEBUG = True")),
    ("Starlette's debug traceback page", re.compile(r"<title>Starlette Debugger</title>")),
    ("Litestar's debug page", re.compile(r"<title>Litestar exception page</title>")),
    ("Django Debug Toolbar", re.compile(r"id=[\"']djDebug[\"']")),
    ("Flask-DebugToolbar", re.compile(r"id=[\"']flDebug[\"']")),
]
_ANY_ERROR = [
    ("traceback", "a Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("file path", "a source file's path", re.compile(
        r"File \"[^\"\n]{1,300}\.py\", line \d+|(?<![\w.])(?:/[\w.@+-]+)+/[\w.-]+\.py\b"
        r"|site-packages/")),
    # in capitals, as ORMs and most hand-written SQL spell it: prose says "delete from"
    ("SQL", "an SQL statement", re.compile(
        r"\[SQL: |\bSELECT\s[^\n]{1,300}?\sFROM\s+[\"`\[]?\w|\bINSERT\s+INTO\s+[\"`\[]?\w"
        r"|\bUPDATE\s+[\"`\[]?\w+[\"`\]]?\s+SET\s|\bDELETE\s+FROM\s+[\"`\[]?\w"
        r"|\bCREATE\s+TABLE\b")),
]
_SERVER_ERROR = [
    ("exception class", "an exception class with its module", re.compile(
        r"\b(?:[a-z_][a-z0-9_]*\.)+_?[A-Z][A-Za-z0-9]*(?:Error|Exception)\b")),
    ("database error", "the database's error text", re.compile(
        r"(?:UNIQUE|NOT NULL|FOREIGN KEY|CHECK) constraint failed|no such (?:table|column)"
        r"|syntax error at or near|near \"[^\"]{1,40}\": syntax error|datatype mismatch"
        r"|duplicate key value violates", re.IGNORECASE)),
]


def _without(text: str, sent: list[str]) -> str:
    for piece in sorted({s for s in sent if len(s) >= 8}, key=len, reverse=True):
        text = text.replace(piece, " ")
    return text


def exposure(status: int, body: str, sent: list[str] | None = None) -> list[dict[str, str]]:
    """[{kind, what, excerpt}] for what this answer shows, most serious first (empty when it
    shows nothing). Debuggers and debug pages are looked for in any answer; internals only
    in error answers."""
    text = _without(body[:1_000_000], list(sent or []))
    plain = html.unescape(text)
    found: list[dict[str, str]] = []
    for what, pattern in _DEBUGGER:
        match = pattern.search(text)
        if match:
            return [{"kind": "debugger", "what": what, "excerpt": _excerpt(text, match)}]
    for what, pattern in _DEBUG_PAGES:
        match = pattern.search(text)
        if match:
            found.append({"kind": "debug page", "what": what, "excerpt": _excerpt(text, match)})
            break
    if status < 400:
        return found
    rules = _ANY_ERROR + (_SERVER_ERROR if status >= 500 else [])
    for kind, what, pattern in rules:
        match = pattern.search(plain)
        if match:
            found.append({"kind": kind, "what": what, "excerpt": _excerpt(plain, match)})
    return found


def _excerpt(text: str, match: re.Match[str], around: int = 60) -> str:
    start, end = max(0, match.start() - around), min(len(text), match.end() + around)
    piece = re.sub(r"\s+", " ", text[start:end]).strip()
    return ("..." if start else "") + piece + ("..." if end < len(text) else "")


def describe(findings: list[dict[str, str]]) -> str:
    """"a Python traceback and an SQL statement" for an answer's findings."""
    whats = list(dict.fromkeys(f["what"] for f in findings))
    return whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]
