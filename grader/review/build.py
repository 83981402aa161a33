"""Flags and explain-your-code questions from a graded submission's checks and code."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.analysis.routes import find_routes
from grader.analysis.sources import parse_python
from grader.checks import CheckResult
from grader.report.model import Flag, Question, Review
from grader.review.conditions import all_matching, matching
from grader.text import assertion_words

DEFAULTS = Path(__file__).with_name("defaults.yaml")
REVIEW_FILE = "review.yaml"
MIN_QUESTIONS, MAX_QUESTIONS = 6, 10
_EXCERPT_BEFORE, _EXCERPT_AFTER = 2, 10
_WHERE = re.compile(r"(?P<file>[\w./-]+\.(?:py|ipynb))(?: cell (?P<cell>\d+))?:(?P<line>\d+)")


@dataclass(frozen=True)
class Place:
    file: str
    line: int
    cell: int | None = None   # notebooks: the cell (1-based); `line` is within it
    name: str = ""

    def __str__(self) -> str:
        cell = f" cell {self.cell}" if self.cell else ""
        return f"{self.file}{cell}:{self.line}" + (f" ({self.name})" if self.name else "")


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with flags and questions")
    return data


def review_config(challenge_root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(flags, questions): the challenge's first, then the shared defaults."""
    mine, shared = _load(challenge_root / REVIEW_FILE), _load(DEFAULTS)
    excluded = {str(x) for x in mine.get("exclude", [])}  # shared ones that do not apply
    flags = [*mine.get("flags", []), *(f for f in shared.get("flags", [])
                                       if f.get("id") not in excluded)]
    questions = [*mine.get("questions", []), *(q for q in shared.get("questions", [])
                                               if q.get("id") not in excluded)]
    return ([f for f in flags if isinstance(f, dict) and "id" in f],
            [q for q in questions if isinstance(q, dict) and "id" in q and "text" in q])


def _place_of(check: CheckResult) -> Place | None:
    """Where a check points in the code: a handler, a finding, a file:line in the message."""
    texts: list[str] = []
    handler = check.evidence.get("handler")
    if isinstance(handler, str):
        texts.append(handler)
    for key in ("findings", "first"):
        items = check.evidence.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            first = items[0]
            texts.append(f"{first.get('file')}:{first.get('line')}")
    texts.append(check.message)
    for text in texts:
        m = _WHERE.search(text)
        if m:
            return Place(m["file"], int(m["line"]), int(m["cell"]) if m["cell"] else None)
    return None


def short(message: str, cap: int = 160) -> str:
    """A check's message without pytest's assertion introspection, on one line."""
    text = assertion_words(message)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= cap:
        return text
    cut = text[:cap - 2]
    for sep in ("; ", ", ", " "):  # end on a clause, else on a word, never inside one
        end = cut.rfind(sep)
        if end >= cap // 2:
            cut = cut[:end]
            break
    return cut.rstrip(" ,;:") + " …"


def in_template(template: str, message: str) -> str:
    """`template` with {message} filled in as a sentence would read: capitalised when the
    question opens with it, and no second full stop after its own or after a cut ("…")."""
    text = message.strip()
    if not text:
        return template.replace("{message}", "")
    if template.startswith("{message}"):
        text = text[0].upper() + text[1:]
    if text.endswith(("…", ".")):
        template = template.replace("{message}.", "{message}")
    return template.replace("{message}", text)


# -- code facts ---------------------------------------------------------------------------------
def _complexity(node: ast.AST) -> int:
    branches = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.With,
                ast.AsyncWith, ast.IfExp, ast.comprehension, ast.Assert, ast.Match)
    score = 1
    for child in ast.walk(node):
        if isinstance(child, branches):
            score += 1
        elif isinstance(child, ast.BoolOp):
            score += len(child.values) - 1
    return score


def most_complex_function(root: Path, files: list[str]) -> tuple[Place, int] | None:
    """The candidate's function with the most branches (tests excluded)."""
    best: tuple[Place, int] | None = None
    for rel in files:
        if not rel.endswith(".py") or "test" in Path(rel).name or "/tests/" in f"/{rel}":
            continue
        try:
            tree = parse_python((root / rel).read_bytes(), rel)
        except OSError:
            continue
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                score = _complexity(node)
                if best is None or score > best[1]:
                    best = (Place(rel, node.lineno, name=node.name), score)
    return best


def excerpt(root: Path, place: Place) -> str:
    """A few numbered lines around `place` (notebook cells: within the cell)."""
    path = root / place.file
    try:
        if place.cell is not None:
            import nbformat

            nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
            source = nb.cells[place.cell - 1].source
            lines = source.splitlines()
        else:
            if path.stat().st_size > 2 * 1024 * 1024:
                return ""
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except Exception:  # a file we cannot read gives no excerpt, never a failure
        return ""
    start = max(1, place.line - _EXCERPT_BEFORE)
    end = min(len(lines), place.line + _EXCERPT_AFTER)
    return "\n".join(f"{n:>4}  {lines[n - 1][:160]}" for n in range(start, end + 1))


# -- the review ---------------------------------------------------------------------------------
def _flags(flags: list[dict[str, Any]], checks: list[CheckResult]) -> list[Flag]:
    out: list[Flag] = []
    seen: set[str] = set()
    for flag in flags:
        when = flag.get("when")
        if flag["id"] in seen or not isinstance(when, dict):
            continue
        green = flag.get("kind") == "green"
        hits = all_matching(checks, when) if green else matching(checks, when)
        if hits:
            seen.add(flag["id"])
            place = _place_of(hits[0])
            out.append(Flag(id=str(flag["id"]), kind="green" if green else "red",
                            label=str(flag.get("label", flag["id"])),
                            evidence=f"{hits[0].id}: {short(hits[0].message, 240)}",
                            where=str(place) if place else ""))
    return out


def build_review(challenge_root: Path, submission_root: Path, own_files: list[str] | tuple[
        str, ...], checks: list[CheckResult]) -> Review:
    """The flags and the explain-your-code questions for a graded submission."""
    flag_defs, question_defs = review_config(challenge_root)
    flags = _flags(flag_defs, checks)
    files = list(own_files)
    complex_fn = most_complex_function(submission_root, files)
    routes = None
    questions: list[Question] = []
    used: set[str] = set()

    def add(q: dict[str, Any], place: Place | None, why: str, message: str = "") -> None:
        where = str(place) if place else "the submission"
        text = in_template(str(q["text"]).replace("{where}", where), short(message, 200))
        questions.append(Question(id=str(q["id"]), text=text, why=why[:300],
                                  where=str(place) if place else "",
                                  excerpt=excerpt(submission_root, place) if place else ""))

    for q in question_defs:  # tied to evidence first
        when = q.get("when")
        if not isinstance(when, dict) or len(questions) >= MAX_QUESTIONS:
            continue
        if when.get("complexity"):
            if complex_fn and complex_fn[1] >= int(when.get("min", 4)):
                add(q, complex_fn[0], f"the most complex function (complexity {complex_fn[1]})")
                used.add(q["id"])
            continue
        places: set[str] = set()
        for hit in matching(checks, when):
            if len(places) >= int(q.get("max", 1)) or len(questions) >= MAX_QUESTIONS:
                break
            place = _place_of(hit)
            if str(place) in places:
                continue  # the same code again: one question is enough
            places.add(str(place))
            add(q, place, f"{hit.id} {hit.status}: {short(hit.message, 200)}",
                hit.message)
            used.add(q["id"])
    for q in question_defs:  # then the bank, until the sheet has enough
        if len(questions) >= MIN_QUESTIONS + 2 or q["id"] in used or isinstance(
                q.get("when"), dict):
            continue
        place = None
        target = q.get("where")
        if isinstance(target, dict) and isinstance(target.get("route"), str):
            if routes is None:
                routes = find_routes(submission_root, files)
            method, _, path = target["route"].partition(" ")
            route = next((r for r in routes if r.matches(method, path)), None)
            place = Place(route.file, route.line, name=route.handler) if route else None
        add(q, place, "from the question bank")
    return Review(flags=flags, green_flags=sum(f.kind == "green" for f in flags),
                  red_flags=sum(f.kind == "red" for f in flags),
                  questions=questions[:MAX_QUESTIONS])
