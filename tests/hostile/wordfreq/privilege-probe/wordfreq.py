"""Answers right only when every attempt at more privilege fails."""

import ctypes
import json
import os
import re
from collections import Counter
from pathlib import Path

LIBC = ctypes.CDLL(None, use_errno=True)


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


def attempts() -> list[str]:
    won = []
    for name, attempt in [
        ("setuid", lambda: os.setuid(0)),
        ("write /etc", lambda: open("/etc/grader-owned", "w").write("x")),
        ("write /usr", lambda: open("/usr/grader-owned", "w").write("x")),
        ("chmod /", lambda: os.chmod("/", 0o777)),
        ("mount", lambda: _check(LIBC.mount(b"none", b"/tmp", b"tmpfs", 0, None))),
        ("user namespace", lambda: _check(LIBC.unshare(0x10000000))),
        ("mount namespace", lambda: _check(LIBC.unshare(0x00020000))),
        ("write /proc/sysrq-trigger", lambda: open("/proc/sysrq-trigger", "w").write("h")),
    ]:
        try:
            attempt()
            won.append(name)
        except (OSError, ValueError, PermissionError):
            pass
    if os.getuid() == 0 or os.geteuid() == 0:
        won.append("root")
    return won


def _check(code: int) -> None:
    if code != 0:
        raise OSError("refused")


if __name__ == "__main__":
    text = Path("input.txt").read_text(encoding="utf-8")
    answer = top_words(text)
    if attempts():
        answer["total_words"] = -1
    Path("output.json").write_text(json.dumps(answer), encoding="utf-8")
