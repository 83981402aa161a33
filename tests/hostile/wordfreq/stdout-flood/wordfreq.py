"""A right answer, after flooding both output streams."""

import json
import os
import re
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


if __name__ == "__main__":
    chunk = b"flood \x1b[31m" * 100_000
    for _ in range(40):
        os.write(1, chunk)
        os.write(2, chunk)
    text = Path("input.txt").read_text(encoding="utf-8")
    Path("output.json").write_text(json.dumps(top_words(text)), encoding="utf-8")
