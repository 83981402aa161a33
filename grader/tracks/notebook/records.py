"""What a notebook run leaves behind, read on the host: the runner's signed record and the
kernel recorder's audit lines.

The runner and the kernel share a uid in the sandbox, so nothing in the work folder is safe
from the candidate's code by where it lies. The runner's record is believed only when its
HMAC-SHA256 (under a key made for this run, which the kernel never sees) holds; then its
fields are still validated and capped, and the JSON is read within a size cap and a nesting
depth (a violation is a reason, never an exception). The audit lines come from inside the
kernel: evidence, validated line by line, an odd line dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from grader.candidate_json import load_json

SUMMARY_CAP = 4 * 1024 * 1024
AUDIT_CAP = 1024 * 1024
#: the record is {cells: [{stop: {...}}], figures: [{axes: [{...}]}]}: 4 levels
SUMMARY_DEPTH = 8
LINE_DEPTH = 4
CELL_STATUSES = {"ok", "error", "timeout", "not-run"}
STOP_TEXT = {"why": 20, "how": 20, "sigint": 20}
_AUDIT_TEXT = {"path": 400, "via": 60, "name": 100, "command": 300, "sha": 12, "question": 100}
AUDIT_EVENTS = {"open", "list", "glob", "command", "env-scan", "env-read", "cell", "answer"}


def new_key() -> bytes:
    """A key for one run's record (hex text, as the runner reads it)."""
    import secrets

    return secrets.token_hex(32).encode()


def signed_summary(raw: bytes | None, key: bytes) -> tuple[dict[str, Any] | None, str]:
    """The runner's record when its signature holds: (record, "") or (None, why not)."""
    if raw is None:
        return None, "the runner wrote no record"
    mac, newline, payload = raw.partition(b"\n")
    want = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    if not newline or not hmac.compare_digest(mac.strip(), want):
        return None, "the runner's record does not carry the runner's signature"
    value, why = load_json(payload, SUMMARY_CAP, SUMMARY_DEPTH, "the runner's record")
    if why:
        return None, why
    if not isinstance(value, dict) or value.get("final") is not True:
        return None, "the runner's record is incomplete"
    return value, ""


def natural(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def valid_cell(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or natural(entry.get("index")) is None:
        return None
    if entry.get("status") not in CELL_STATUSES:
        return None
    keep: dict[str, Any] = {"index": entry["index"], "status": entry["status"],
                            "figures": natural(entry.get("figures")) or 0}
    for name, cap in (("ename", 200), ("evalue", 1000), ("traceback", 5000), ("started", 40),
                      ("ended", 40)):
        if isinstance(entry.get(name), str):
            keep[name] = entry[name][:cap]
    for name in ("count", "processes"):
        if natural(entry.get(name)) is not None:
            keep[name] = entry[name]
    stop = entry.get("stop")
    if isinstance(stop, dict):
        keep["stop"] = {k: str(stop.get(k, ""))[:cap] for k, cap in STOP_TEXT.items()}
        keep["stop"]["processes"] = natural(stop.get("processes")) or 0
    return keep


def valid_figure(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("axes"), list):
        return None
    axes = []
    for ax in entry["axes"][:20]:
        if not isinstance(ax, dict):
            return None
        axes.append({"xlabel": str(ax.get("xlabel", ""))[:200],
                     "ylabel": str(ax.get("ylabel", ""))[:200],
                     "title": str(ax.get("title", ""))[:200],
                     "axis_on": ax.get("axis_on") is not False,
                     "has_data": ax.get("has_data") is not False,
                     "x_ticks": ax.get("x_ticks") is not False,
                     "y_ticks": ax.get("y_ticks") is not False,
                     "colorbar": ax.get("colorbar") is True})
    out: dict[str, Any] = {"suptitle": str(entry.get("suptitle", ""))[:200], "axes": axes}
    if natural(entry.get("cell")) is not None:
        out["cell"] = entry["cell"]
    return out


def valid_event(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or entry.get("event") not in AUDIT_EVENTS:
        return None
    seq = natural(entry.get("seq"))
    if seq is None:
        return None
    out: dict[str, Any] = {"event": entry["event"], "seq": seq}
    for key, cap in _AUDIT_TEXT.items():
        if isinstance(entry.get(key), str):
            out[key] = entry[key][:cap]
    for key in ("write", "recursive"):
        if isinstance(entry.get(key), bool):
            out[key] = entry[key]
    if natural(entry.get("line")) is not None:
        out["line"] = entry["line"]
    return out


def json_lines(raw: bytes | None, cap: int, limit: int) -> list[Any]:
    """Each line of `raw` (within `cap` bytes, at most `limit` lines) as JSON, a line that is
    not JSON or nests deeper than LINE_DEPTH left out."""
    out = []
    for line in (raw or b"")[:cap].decode("utf-8", "replace").splitlines()[:limit]:
        value, why = load_json(line, cap, LINE_DEPTH)
        if not why:
            out.append(value)
    return out


def read_audit(raw: bytes | None) -> list[dict[str, Any]]:
    """The kernel recorder's lines, each validated (odd ones dropped), at most 4,000."""
    events = [valid_event(v) for v in json_lines(raw, AUDIT_CAP, 4000)]
    return [e for e in events if e is not None]


def versions(summary: dict[str, Any]) -> dict[str, str]:
    found = summary.get("versions")
    if not isinstance(found, dict):
        return {}
    return {str(k)[:40]: str(v)[:40] for k, v in list(found.items())[:20]
            if isinstance(v, str)}


def digest_matches(summary: dict[str, Any], name: str, data: bytes | None) -> bool:
    """The file came back as the runner wrote it (its SHA-256 is in the signed record)."""
    want = summary.get(f"{name}_sha256")
    return data is not None and isinstance(want, str) and hmac.compare_digest(
        hashlib.sha256(data).hexdigest(), want)

