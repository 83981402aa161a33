"""Code similarity between submissions, on the candidate's own code (starter code excluded).

Winnowing over normalised Python tokens (the MOSS approach): identifiers become `N`, strings
`S`, numbers `0`, comments and blank lines vanish, so renaming variables or reformatting does
not hide a copy. Each k-gram of tokens is hashed (stable crc32, not Python's salted hash); in
every window of w hashes the smallest is kept, with the line it starts on. Two submissions'
similarity is the Jaccard index of their kept hashes; the shared ones give the matching
fragments shown side by side. Notebooks count by their code cells. Runs locally.
"""

from __future__ import annotations

import io
import keyword
import tokenize
import zlib
from pathlib import Path
from typing import Any

K, WINDOW = 12, 8
THRESHOLD = 0.5          # pairs at or above this are flagged
MIN_FINGERPRINTS = 20    # too little code to judge
_MAX_BYTES = 1024 * 1024


def _tokens(source: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME:
                out.append((tok.string if keyword.iskeyword(tok.string) else "N", tok.start[0]))
            elif tok.type == tokenize.STRING:
                out.append(("S", tok.start[0]))
            elif tok.type == tokenize.NUMBER:
                out.append(("0", tok.start[0]))
            elif tok.type == tokenize.OP:
                out.append((tok.string, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # keep what was read
    return out


def _sources(root: Path, files: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for rel in files:
        path = root / rel
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            if rel.endswith(".py"):
                out.append((rel, path.read_text(encoding="utf-8", errors="replace")))
            elif rel.endswith(".ipynb"):
                from grader.analysis import notebook_facts as nbf

                nb, _ = nbf.load_notebook(path)
                if nb is not None:
                    for cell in nbf.cells(nb):
                        if cell.kind == "code":
                            text = "\n".join("" if line.lstrip().startswith(("%", "!"))
                                             else line for line in cell.source.splitlines())
                            out.append((f"{rel} cell {cell.index + 1}", text))
        except OSError:
            continue
    return out


def fingerprints(root: Path, files: list[str] | tuple[str, ...]) -> dict[str, list[Any]]:
    """hash (as text) -> [file, line] for the submission's kept fingerprints."""
    kept: dict[str, list[Any]] = {}
    for name, source in _sources(root, files):
        toks = _tokens(source)
        grams = [(zlib.crc32(" ".join(t for t, _ in toks[i:i + K]).encode()), toks[i][1])
                 for i in range(len(toks) - K + 1)]
        for i in range(max(0, len(grams) - WINDOW + 1)):
            h, line = min(grams[i:i + WINDOW], key=lambda g: g[0])
            kept.setdefault(str(h), [name, line])
    return kept


def compare(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> tuple[float, list[dict[str,
                                                                                       Any]]]:
    """(Jaccard similarity, matching fragments as {a: file:lines, b: file:lines})."""
    if min(len(a), len(b)) < MIN_FINGERPRINTS:
        return 0.0, []
    shared = set(a) & set(b)
    score = len(shared) / len(set(a) | set(b))
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for h in shared:
        spans.setdefault((a[h][0], b[h][0]), []).append((int(a[h][1]), int(b[h][1])))
    fragments = []
    for (file_a, file_b), lines in sorted(spans.items(), key=lambda kv: -len(kv[1]))[:10]:
        la, lb = [x for x, _ in lines], [y for _, y in lines]
        fragments.append({"a": f"{file_a}:{min(la)}-{max(la) + K // 3}",
                          "b": f"{file_b}:{min(lb)}-{max(lb) + K // 3}",
                          "shared": len(lines)})
    return round(score, 3), fragments


def excerpt(read: Any, where: str, max_lines: int = 25) -> str:
    """The lines a fragment names ("file:10-20" or "nb.ipynb cell 3:10-20"); `read(rel)`
    returns a file's text (or None)."""
    location, _, span = where.rpartition(":")
    start, _, end = span.partition("-")
    file, _, cell = location.partition(" cell ")
    text = read(file) or ""
    if cell and text:
        import nbformat

        try:
            text = nbformat.reads(text, as_version=4).cells[int(cell) - 1].source
        except Exception:  # not a readable notebook: no excerpt
            text = ""
    lines = text.splitlines()
    first, last = int(start), min(int(end or start), len(lines), int(start) + max_lines)
    return "\n".join(f"{n:>4}  {lines[n - 1]}" for n in range(first, last + 1)
                     if 0 < n <= len(lines))


def flagged_pairs(prints: dict[str, dict[str, list[Any]]], new: list[str],
                  threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """Pairs involving at least one of `new` (this cohort) with similarity >= threshold;
    the others in `prints` are earlier cohorts (from the store)."""
    ids = sorted(prints)
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if a not in new and b not in new:
                continue
            score, fragments = compare(prints[a], prints[b])
            if score >= threshold:
                pairs.append({"a": a, "b": b, "score": score, "fragments": fragments,
                              "detail": ", ".join(f"{f['a']} ~ {f['b']}"
                                                  for f in fragments[:3])})
    return sorted(pairs, key=lambda p: -p["score"])
