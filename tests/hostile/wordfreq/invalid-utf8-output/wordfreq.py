"""Writes its answer in Latin-1 with escapes mixed in."""

import json
import re
from collections import Counter
from pathlib import Path


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


if __name__ == "__main__":
    answer = json.dumps(top_words(Path("input.txt").read_text(encoding="utf-8")))
    Path("output.json").write_bytes(b"\xff\xfe\x1b[31m" + answer.encode("latin-1", "replace"))
