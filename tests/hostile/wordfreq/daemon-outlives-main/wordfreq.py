"""A right answer, plus a daemon that tries to outlive the run."""

import json
import os
import re
import signal
import time
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


def daemonize() -> None:
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    daemonize()
    text = Path("input.txt").read_text(encoding="utf-8")
    Path("output.json").write_text(json.dumps(top_words(text)), encoding="utf-8")
