"""Answer-key hunting and snooping, read statically from a notebook's code (the runtime half is
recorded in the kernel by kernel_recorder.py and judged in integrity.py).

Findings: listing, walking or recursively globbing the filesystem root, the parent folders or
the home folder (`os.walk(Path.home())`, `glob.glob("/**/...", recursive=True)`); searching
them for key-like names (a loop over `Path.cwd().parents` globbing `*key*.json`; looking for
the project's own `data/` up the parents is not a finding); a path literal naming an answer key
outside the work folder; `!find /`-style shell escapes; `os.environ` used whole (iterated,
copied, printed); reads of key-like environment variables (ANSWER_KEY, GRADER_SEED; not
OPENAI_API_KEY or SEED). Each finding has its cell and line. Values are followed through
simple assignments and loop variables (`for base in [Path.home(), Path("/")]`).
"""

from __future__ import annotations

import ast
import re

from grader.analysis.notebook_facts import Cell, parse_code, string_value

_KEY_TOKENS = {"key", "keys", "answerkey", "answerkeys", "solution", "solutions", "expected",
               "hidden", "grader", "grading", "rubric", "secret", "secrets"}
_ENV_WORDS = {"ANSWER", "ANSWERS", "ANSWERKEY", "SOLUTION", "SOLUTIONS", "EXPECTED", "GRADER",
              "GRADING", "RUBRIC", "HIDDEN", "VARIANT"}
_NOT_ANSWER_KEYS = {"API", "ACCESS", "AWS", "OPENAI", "SSH", "GPG", "LICENSE", "SECRET",
                    "PRIVATE", "PUBLIC"}
_SEED_WORDS = {"DATA", "DATASET", "GENERATOR", "GEN", "TEST", "GRADER", "HIDDEN", "VARIANT"}
_LISTING = {"listdir": "lists", "scandir": "lists", "iterdir": "lists", "walk": "walks"}
_SEARCH_COMMAND = re.compile(r"^\s*!+\s*(find|locate|ls|tree|du|grep\s+-\w*r|rg)\b(.*)$")
_OUTSIDE_ARG = re.compile(r"(^|\s)(/|\.\.|~|\$HOME)(/|\s|$)|(^|\s)/(home|root|tmp|mnt)\b")


def key_like_path(path: str) -> bool:
    """A file name that says answer key, solution, expected answers, grader, ..."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()
    tokens = set(re.split(r"[^a-z0-9]+", name)) - {""}
    return bool(tokens & _KEY_TOKENS) or "answer_key" in name or "answer-key" in name


def key_like_env(name: str) -> bool:
    """An environment variable named like an answer key or the grader's data (ANSWER_KEY,
    GRADER_SEED, EXPECTED), not like an API key or a random seed (OPENAI_API_KEY, SEED)."""
    parts = set(re.split(r"[^A-Z0-9]+", name.upper())) - {""}
    if parts & _ENV_WORDS:
        return True
    if parts & {"KEY", "KEYS"}:
        return not parts & _NOT_ANSWER_KEYS
    return "SEED" in parts and bool(parts & _SEED_WORDS)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return ""


class _Hunt:
    """The static half of answer-key hunting: where the code lists or searches the filesystem
    root, parent folders or home folders, names an answer-key file outside its folder, or
    scans the environment / reads key-like variables."""

    def __init__(self, all_cells: list[Cell]) -> None:
        self.cells = all_cells
        self.assigned: dict[str, list[ast.AST]] = {}
        self.found: list[dict[str, object]] = []
        self.trees = [(c, parse_code(c.source)) for c in all_cells if c.kind == "code"]
        for _, tree in self.trees:
            for node in ast.walk(tree) if tree is not None else ():
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            self.assigned.setdefault(t.id, []).append(node.value)
                elif isinstance(node, ast.For | ast.comprehension) and isinstance(
                        node.target, ast.Name):
                    items = node.iter.elts if isinstance(node.iter, ast.List | ast.Tuple) \
                        else [node.iter]
                    self.assigned.setdefault(node.target.id, []).extend(items)

    def base(self, node: ast.AST | None, depth: int = 0) -> str:
        """What outside folder an expression names: "/", "the parent folder", "home"."""
        if node is None or depth > 4:
            return ""
        text = string_value(node, {})
        if isinstance(node, ast.Constant | ast.JoinedStr) and text is not None:
            if text in ("/", "/home", "/root", "/tmp", "/mnt") or re.match(r"^/(\*|{})", text):
                return text if text in ("/home", "/root", "/tmp", "/mnt") else "/"
            if text.startswith(".."):
                return "the parent folder"
            if text.startswith("~"):
                return "the home folder"
            if isinstance(node, ast.JoinedStr) and node.values and not isinstance(
                    node.values[0], ast.Constant):
                first = node.values[0]
                return self.base(first.value if isinstance(first, ast.FormattedValue)
                                 else None, depth + 1)
            return ""
        dotted = _dotted(node)
        if dotted.endswith(("home()", "expanduser()", "gethome()")) or "HOME" in ast.unparse(
                node):
            return "the home folder"
        if (isinstance(node, ast.Attribute) and node.attr in ("parent", "parents")) or (
                isinstance(node, ast.Subscript) and _dotted(node.value).endswith("parents")):
            return "the parent folders"
        if dotted.endswith("dirname()") and "getcwd" in ast.unparse(node):
            return "the parent folder"
        if isinstance(node, ast.Name):
            return next((b for v in self.assigned.get(node.id, [])[:5]
                         if (b := self.base(v, depth + 1))), "")
        if isinstance(node, ast.BinOp):
            return self.base(node.left, depth + 1)
        if isinstance(node, ast.Call):
            args = [*node.args, node.func.value] if isinstance(node.func, ast.Attribute) \
                else list(node.args)
            return next((b for a in args[:3] if (b := self.base(a, depth + 1))), "")
        if isinstance(node, ast.Starred):
            return self.base(node.value, depth + 1)
        return ""

    def add(self, cell: Cell, node: ast.AST, what: str) -> None:
        self.found.append({"file": f"cell {cell.index + 1}", "cell": cell.index,
                           "line": getattr(node, "lineno", 0), "what": what})

    def call(self, cell: Cell, node: ast.Call) -> None:
        name = _dotted(node.func).rsplit(".", 1)[-1].rstrip("()")
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        first = node.args[0] if node.args else None
        recursive = any(kw.arg == "recursive" and isinstance(kw.value, ast.Constant)
                        and kw.value.value is True for kw in node.keywords)
        if name in ("glob", "iglob") and receiver is not None and _dotted(receiver) == "glob":
            where = self.base(first)
            if where and (recursive or "**" in (string_value(first, {}) or "")):
                self.add(cell, node, f"searches {where} recursively (glob)")
        elif name in ("rglob", "glob") and receiver is not None:
            pattern = string_value(first, {}) or ""
            if where := self.base(receiver):
                if name == "rglob" or "**" in pattern:
                    self.add(cell, node, f"searches {where} recursively ({name})")
                elif key_like_path(pattern):
                    self.add(cell, node, f"searches {where} for {pattern[:60]}")
        elif name in _LISTING and (where := self.base(receiver if name == "iterdir"
                                                       else first)):
            self.add(cell, node, f"{_LISTING[name]} {where} ({name})")
        elif name in ("getenv", "get", "pop", "setdefault") and (
                name == "getenv" or (receiver is not None and _dotted(receiver).endswith(
                    "environ"))):
            key = string_value(first, {})
            if key is not None and key_like_env(key):
                self.add(cell, node, f"reads the environment variable {key}")

    def environ(self, cell: Cell, node: ast.AST, parent: ast.AST | None) -> None:
        """os.environ used whole: iterated, copied, printed, turned into a mapping."""
        if isinstance(parent, ast.Subscript):
            key = string_value(parent.slice, {})
            if key is not None and key_like_env(key):
                self.add(cell, node, f"reads the environment variable {key}")
            return
        if isinstance(parent, ast.Attribute) and parent.attr in ("get", "pop", "setdefault"):
            return
        if isinstance(parent, ast.Compare):
            return
        self.add(cell, node, "scans the environment (os.environ)")

    def run(self) -> list[dict[str, object]]:
        for cell, tree in self.trees:
            for line_no, line in enumerate(cell.source.splitlines(), 1):
                m = _SEARCH_COMMAND.match(line)
                if m and (_OUTSIDE_ARG.search(m.group(2)) or key_like_path(m.group(2))):
                    self.found.append({"file": f"cell {cell.index + 1}", "cell": cell.index,
                                       "line": line_no, "what": f"runs `{line.strip()[:80]}`"})
            if tree is None:
                continue
            parents = {child: node for node in ast.walk(tree)
                       for child in ast.iter_child_nodes(node)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    self.call(cell, node)
                elif (isinstance(node, ast.Attribute) and node.attr == "environ") or (
                        isinstance(node, ast.Name) and node.id == "environ"):
                    self.environ(cell, node, parents.get(node))
                elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                        "/" in node.value or "." in node.value) and " " not in node.value \
                        and key_like_path(node.value) and (
                            node.value.startswith(("/", "..", "~")) or "answer" in
                            node.value.lower()):
                    self.add(cell, node, f"names an answer-key file ({node.value[:80]})")
        seen: set[tuple[object, ...]] = set()
        unique = []
        for f in self.found:
            marker = (f["cell"], f["line"], f["what"])
            if marker not in seen:
                seen.add(marker)
                unique.append(f)
        return unique[:30]


def key_hunt(all_cells: list[Cell]) -> list[dict[str, object]]:
    """Static findings of answer-key hunting (file: "cell N", cell: index, line, what)."""
    return _Hunt(all_cells).run()
