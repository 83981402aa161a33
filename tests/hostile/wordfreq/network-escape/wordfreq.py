"""Answers right only when it finds no way out of its box (any escape spoils the answer)."""

import json
import os
import re
import socket
from collections import Counter
from pathlib import Path

TARGETS = [("1.1.1.1", 53), ("8.8.8.8", 443), ("172.17.0.1", 2375), ("172.17.0.1", 22),
           ("172.17.0.1", 80), ("10.0.0.1", 80), ("host.docker.internal", 80)]


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


def escapes() -> list[str]:
    found = []
    for host, port in TARGETS:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            found.append(f"{host}:{port}")
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        found.append("dns")
    except OSError:
        pass
    for path in ("/var/run/docker.sock", "/run/docker.sock"):
        if os.path.exists(path):
            found.append(path)
    return found


if __name__ == "__main__":
    text = Path("input.txt").read_text(encoding="utf-8")
    answer = top_words(text)
    if escapes():
        answer["total_words"] = -1
    Path("output.json").write_text(json.dumps(answer), encoding="utf-8")
