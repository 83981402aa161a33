import json, re
from collections import Counter

# Flawed on purpose: forgets to lowercase, no tests, no type hints.
def main():
    text = open("input.txt").read()
    counts = Counter(re.findall(r"[^\W\d_]+", text))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    json.dump({"total_words": sum(counts.values()), "top": [list(t) for t in top]},
              open("output.json", "w"))

main()
