"""Text hygiene and number formatting for everything a report shows.

Whatever comes out of a container (logs, stderr, HTTP bodies, answers, file names) may hold
terminal escapes, NUL bytes or bidirectional-override characters that would garble a terminal,
hide text in report.md or reorder what a reviewer reads in report.html. `clean` removes ANSI
escape sequences and writes every other control character visibly (`\\x00`, `\\u202e`);
newlines and tabs stay. `clean_value` does it through nested JSON data. The pipeline cleans the
whole report before writing it, and renderings clean the logs they embed.

`last_exception_line` finds the cause in a failed command's output (`ModuleNotFoundError: No
module named 'seaborn'` rather than "exited with code 1").

`assertion_words` keeps what a failed assertion says in its own words, without the lines of
pytest's introspection under it ("+ where False = is_client_error(500)").

`number` writes a number exactly enough to see why it differs from another (0.1535 and 0.1455
stay apart, 20240611 is not "2.02406e+07").
"""

from __future__ import annotations

import math
import re
from typing import Any

# pytest prefixes the lines of a failure with "E   " (a collection error's ImportError too).
_PYTEST_PREFIX = re.compile(r"^E\s{2,}")
_EXCEPTION_LINE = re.compile(r"^\s*(?:E\s{2,})?(?:[A-Za-z_][\w.]*\.)?"
                             r"(?:[A-Z]\w*(?:Error|Exception|Exit|Interrupt|NotFound|Warning|"
                             r"Failure))(?::.*)?$")
# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-character escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_INTROSPECTION = re.compile(r"(?:^|\s+)\+\s+where\b")


def assertion_words(message: str) -> str:
    """`message` up to pytest's introspection of the failed expression ("+ where ...")."""
    return _INTROSPECTION.split(message, maxsplit=1)[0]


def clean(text: str) -> str:
    """`text` without terminal escapes, its other control characters written visibly."""
    if not text:
        return text
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(_visible, text)


def has_control(text: str) -> bool:
    """Whether `text` holds a character `clean` would remove or escape."""
    return bool(_CONTROL.search(text.replace("\r\n", "\n")) or "\x1b" in text)


def clean_value(value: Any) -> Any:
    """`value` (JSON data) with every string cleaned, keys included."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value]
    return value


def bounded(value: Any, depth: int = 8, text: int = 20_000, items: int = 200) -> Any:
    """JSON data cut to what a report can show: at most `depth` levels of nesting (deeper
    values become a "[nested deeper than N levels]" marker), strings of `text` characters
    and `items` entries per list or mapping. Non-JSON values become their repr. Iterative
    enough for candidate data of any depth: recursion stops at `depth`."""
    if isinstance(value, str):
        return value if len(value) <= text else value[:text] + f"... [{len(value) - text:,} " \
            "more characters]"
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth <= 0:
        return "[nested deeper than the report shows]"
    if isinstance(value, dict):
        out = {str(k)[:200]: bounded(v, depth - 1, text, items)
               for k, v in list(value.items())[:items]}
        if len(value) > items:
            out["..."] = f"{len(value) - items} more entries"
        return out
    if isinstance(value, list | tuple):
        kept = [bounded(v, depth - 1, text, items) for v in list(value)[:items]]
        return kept + ([f"... {len(value) - items} more items"] if len(value) > items else [])
    return repr(value)[:text]


def number(value: Any, digits: int = 6) -> str:
    """A number for reading: integers as integers, others with `digits` significant digits
    and never in exponent notation between 1e-4 and 1e15 (bools and text as they are)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude < 1e-4 or magnitude >= 1e15:
        return f"{value:.{digits}g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def last_exception_line(text: str) -> str:
    """The last line of `text` that names an exception (`ModuleNotFoundError: No module
    named 'seaborn'`), else its last non-empty line; "" for an empty text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return _PYTEST_PREFIX.sub("", line)[:300]
    return lines[-1][:300] if lines else ""


def names_exception(line: str) -> bool:
    """Whether `line` looks like `SomeError: message` (the last line of a traceback)."""
    return bool(_EXCEPTION_LINE.match(line))
