"""Fills the disk it was given, then answers (or tries to)."""

import json
from pathlib import Path

if __name__ == "__main__":
    with open("cache.bin", "wb") as cache:
        while True:
            cache.write(b"\0" * (1024 * 1024))
            cache.flush()
    Path("output.json").write_text(json.dumps({"total_words": 0, "top": []}))
