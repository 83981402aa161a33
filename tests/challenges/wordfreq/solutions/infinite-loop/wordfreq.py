"""Flawed on purpose: correct on small inputs, never finishes on large ones."""

import json
import re
from collections import Counter


def main() -> None:
    text = open("input.txt", encoding="utf-8").read().lower()
    if len(text) > 1_000_000:
        while True:
            pass
    counts = Counter(re.findall(r"[^\W\d_]+", text))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    with open("output.json", "w", encoding="utf-8") as out:
        json.dump({"total_words": sum(counts.values()), "top": [[w, c] for w, c in top]}, out)


if __name__ == "__main__":
    main()
