"""Writes a right answer, then freezes instead of exiting."""

import json
import os
import re
import signal
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


if __name__ == "__main__":
    text = Path("input.txt").read_text(encoding="utf-8")
    Path("output.json").write_text(json.dumps(top_words(text)), encoding="utf-8")
    os.kill(os.getpid(), signal.SIGSTOP)
