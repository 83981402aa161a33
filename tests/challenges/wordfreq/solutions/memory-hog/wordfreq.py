"""Flawed on purpose: correct, but builds a huge list on large inputs."""

import json
import re
from collections import Counter


def main() -> None:
    text = open("input.txt", encoding="utf-8").read().lower()
    words = re.findall(r"[^\W\d_]+", text)
    padded = [w + " " * 64 for w in words] * 4  # gigantic for 2 MB of text
    counts = Counter(w.strip() for w in padded)
    counts = Counter({w: c // 4 for w, c in counts.items()})
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    with open("output.json", "w", encoding="utf-8") as out:
        json.dump({"total_words": len(words), "top": [[w, c] for w, c in top]}, out)


if __name__ == "__main__":
    main()
