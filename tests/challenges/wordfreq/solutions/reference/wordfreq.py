"""Word frequencies: reads input.txt, writes output.json."""

import json
import re
from collections import Counter
from pathlib import Path

WORD = re.compile(r"[^\W\d_]+")


def top_words(text: str, n: int = 3) -> dict[str, object]:
    counts = Counter(WORD.findall(text.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}


def main() -> None:
    text = Path("input.txt").read_text(encoding="utf-8")
    Path("output.json").write_text(json.dumps(top_words(text)), encoding="utf-8")


if __name__ == "__main__":
    main()
