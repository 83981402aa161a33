"""Writes an answer nested deeper than any recursive JSON reader can follow."""

from pathlib import Path


def top_words(text: str) -> dict[str, object]:
    words = text.lower().split()
    return {"total_words": len(words), "top": []}


if __name__ == "__main__":
    Path("output.json").write_text("[" * 30_000 + "]" * 30_000, encoding="utf-8")
