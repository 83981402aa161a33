"""Writes a right answer; its exit handler waits forever."""

import atexit
import json
import re
import threading
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


if __name__ == "__main__":
    atexit.register(threading.Event().wait)
    text = Path("input.txt").read_text(encoding="utf-8")
    Path("output.json").write_text(json.dumps(top_words(text)), encoding="utf-8")
