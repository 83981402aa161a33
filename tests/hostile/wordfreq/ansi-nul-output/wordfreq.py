"""Prints terminal escapes and writes them into its answer."""

import json
import sys
from pathlib import Path

NOISE = "\x1b[2J\x1b[31mRED\x1b]0;owned\x07\x00\u202e\r\x08"

if __name__ == "__main__":
    print(NOISE * 50)
    print(NOISE * 50, file=sys.stderr)
    Path("output.json").write_text(json.dumps({"total_words": NOISE, "top": [[NOISE, 1]]}),
                                   encoding="utf-8")
    raise SystemExit(NOISE)
