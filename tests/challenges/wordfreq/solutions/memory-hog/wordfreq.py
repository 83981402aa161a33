"""Flawed on purpose: correct, but builds a huge list on large inputs."""

import json
import re
from collections import Counter


def main() -> None:
    text = open("input.txt", encoding="utf-8").read().lower()
    words = re.findall(r"[^\W\d_]+", text)
    padded = [w * 200 for w in words]  # ~1 KB per word: hundreds of MB for 2 MB of text
    counts = Counter(p[: len(p) // 200] for p in padded)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    with open("output.json", "w", encoding="utf-8") as out:
        json.dump({"total_words": len(words), "top": [[w, c] for w, c in top]}, out)


if __name__ == "__main__":
    main()
