"""Logs a lot, then fails on a missing setting."""

import os
import re
import sys
from collections import Counter


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


if __name__ == "__main__":
    line = "DEBUG reading the configuration from the environment, step %d\n"
    for i in range(60_000):  # ~4 MB: 16 times the output cap
        sys.stderr.write(line % i)
    print(os.environ["configuration"])
