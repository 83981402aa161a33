"""`train.all-rows`: was the served model trained on the data the contract gives, or on a
debug subsample of it?

The grader trains the submitted code on its own copy of the training file, so the model
comes from that file; what can still go wrong is the code using a fraction of it (a DEBUG
flag left on, `df.sample(frac=0.1)`, `head(500)`, `nrows=`). Two kinds of evidence, both
about this run of this code:

- declared: the row count the model itself records (the artifact's JSON files, /metadata:
  `training_rows`, `n_train`, `rows`, ...; optional in the contract) against the rows of
  the training file. Under half is a subsample: a train/validation split keeps 60-90 %,
  dropping rows with a missing value about 90 %.
- static: a statement in the submission's code that rebinds a data frame to a fraction of
  itself (`df = df.sample(frac=0.1)`, `df = df.head(500)`, `df = df.iloc[:600]`,
  `read_csv(..., nrows=600)`) for under half the file's rows, unconditional or behind a flag
  set to True in the code. Behind a flag the code cannot resolve (a command-line option, an
  environment variable: off unless someone turns it on) it is only noted.

No behavioural test: an AUC gap cannot tell a subsample from a weaker model (measured on
the bundled data: a logistic regression on a tenth of the rows reaches a holdout AUC of
0.809-0.829 against 0.829 on all of them; scikit-learn's default HistGradientBoosting 0.795
on all rows, 0.734-0.785 on a tenth), and training the same pipeline on all rows would mean
editing the candidate's code. The holdout AUC is quoted in the message for the reviewer."""

from __future__ import annotations

import ast
import json
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from grader.analysis.sources import python_trees
from grader.checks import CheckResult

TITLE = "The model is trained on all the rows of the training data"
SUBSAMPLE = 0.5          # under this share of the file's rows is a subsample
ROW_KEYS = {"trainingrows", "trainrows", "ntrain", "ntrainrows", "ntraining", "trainsize",
            "trainingsamples", "trainsamples", "ntrainsamples", "rows", "nrows", "nsamples",
            "trainedon", "trainingsize", "numtrainrows", "trainedrows", "rowsused",
            "trainingrecords", "trainrecords", "nrowstrain", "trainingrowcount", "rowcount"}
JSON_CAP = 1024 * 1024
FITS = ("fit", "fit_transform", "train_test_split", "cross_val_score", "cross_validate")


def file_rows(train_csv: bytes) -> int:
    lines = [line for line in train_csv.decode("utf-8", "replace").splitlines() if line]
    return max(0, len(lines) - 1)


def declared_rows(documents: dict[str, Any]) -> list[tuple[str, int]]:
    """(where, value) for every row count a JSON document declares (three levels deep)."""
    found: list[tuple[str, int]] = []
    for name, doc in documents.items():
        stack: list[tuple[str, Any, int]] = [("", doc, 0)]
        while stack:
            path, value, depth = stack.pop()
            if isinstance(value, dict) and depth < 3:
                stack += [(f"{path}.{k}" if path else str(k), v, depth + 1)
                          for k, v in list(value.items())[:200]]
            elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
                key = re.sub(r"[^a-z]", "", path.lower())
                last = re.sub(r"[^a-z]", "", path.split(".")[-1].lower())
                if (key in ROW_KEYS or last in ROW_KEYS) and not re.search(
                        r"valid|test|holdout|eval|val$", path, re.I):
                    found.append((f"{name}: `{path}`", value))
    return found


def artifact_documents(artifact: dict[str, bytes] | None) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    for rel, data in (artifact or {}).items():
        if rel.endswith(".json") and len(data) <= JSON_CAP:
            try:
                docs[rel] = json.loads(data)
            except (ValueError, RecursionError):
                continue
    return docs


def _constants(tree: ast.Module) -> dict[str, tuple[Any, int]]:
    out: dict[str, tuple[Any, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = (node.value.value, node.lineno)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                isinstance(node.value, ast.Constant):
            out[node.target.id] = (node.value.value, node.lineno)
    return out


def _number(node: ast.AST | None, constants: dict[str, tuple[Any, int]]) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and \
            not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in constants:
        value = constants[node.id][0]
        return float(value) if isinstance(value, int | float) and \
            not isinstance(value, bool) else None
    return None


def _base_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _kept(value: ast.AST, rows: int, constants: dict[str, tuple[Any, int]]) -> float | None:
    """The share of the rows an expression keeps, when it is a subsample of a frame."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        method, kwargs = value.func.attr, {k.arg: k.value for k in value.keywords}
        first = value.args[0] if value.args else None
        if method == "sample":
            frac, n = _number(kwargs.get("frac"), constants), _number(
                kwargs.get("n", first), constants)
            return frac if frac is not None else (n / rows if n is not None else None)
        if method in ("head", "tail", "nlargest", "nsmallest"):
            n = _number(kwargs.get("n", first), constants)
            return n / rows if n is not None else (5 / rows if method in ("head", "tail")
                                                   and first is None else None)
        if method in ("read_csv", "read_parquet", "read_table"):
            n = _number(kwargs.get("nrows"), constants)
            return n / rows if n is not None else None
    if isinstance(value, ast.Subscript):
        inner = value.slice
        if isinstance(inner, ast.Slice) and inner.lower is None:
            stop, step = _number(inner.upper, constants), _number(inner.step, constants)
            if stop is not None and stop > 0:
                return stop / rows
            if step is not None and step >= 2:
                return 1 / step
    return None


def subsample_statements(root: Path, files: list[str], rows: int) -> list[dict[str, Any]]:
    """In the training code (`training_files`), statements that rebind a frame to under
    SUBSAMPLE of the file's rows (or read that few), with the `if` they sit behind and
    whether it runs (`_flag`)."""
    found = []
    for rel, tree in python_trees(root, files):
        constants = _constants(tree)
        parents = {child: node for node in ast.walk(tree)
                   for child in ast.iter_child_nodes(node)}
        data = _data_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            is_read = _is_read(value)
            if not is_read and (not isinstance(target, ast.Name) or target.id not in data
                                or _base_name(value) != target.id):
                continue
            share = _kept(value, rows, constants) if rows else None
            if share is None or share >= SUBSAMPLE or share <= 0:
                continue
            flag, state = _flag(node, parents, constants)
            found.append({"file": rel, "line": node.lineno, "code": ast.unparse(node)[:100],
                          "share": round(share, 3), "flag": flag, "state": state})
    return found[:5]


def _is_read(value: ast.AST) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
        value.func.attr.startswith("read_")


def _data_names(tree: ast.Module) -> set[str]:
    """The names that hold the training data: assigned from a `read_*` call, or passed to a
    `fit` (a frame kept for a plot or an explainer, cut to a few rows, is nobody's concern)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_read(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Call) and _last(node.func) in FITS:
            names |= {a.id for a in node.args[:2] if isinstance(a, ast.Name)}
    return names


def _last(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else \
        node.id if isinstance(node, ast.Name) else ""


def _flag(node: ast.AST, parents: dict[ast.AST, ast.AST],
          constants: dict[str, tuple[Any, int]]) -> tuple[str, str]:
    """The `if` the statement sits under (the nearest), and whether its branch runs: "on"
    (no `if`, or a module constant that selects it), "off" (a constant that does not),
    "unknown" (an option, an environment variable, anything else)."""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, ast.If) and (child in parent.body or child in parent.orelse):
            test, branch = ast.unparse(parent.test)[:60], child in parent.body
            shown = f"`if {test}:`" if branch else f"the `else` of `if {test}:`"
            if isinstance(parent.test, ast.Name) and parent.test.id in constants:
                value, line = constants[parent.test.id]
                return (f"{shown} ({parent.test.id} = {value!r} at line {line})",
                        "on" if bool(value) == branch else "off")
            return shown, "unknown"
        child, parent = parent, parents.get(parent)
    return "", "on"


def training_files(root: Path, files: list[str], command: str,
                   excludes: list[str]) -> list[str]:
    """The training code: the file the train command runs, the files left out of serving
    (train.py, training/...) and the submission's modules they import (transitively)."""
    python = [f for f in files if f.endswith(".py") and not f.startswith("tests/")]
    by_module = {f.removesuffix(".py").removesuffix("/__init__").replace("/", "."): f
                 for f in python}
    start = {f for f in python if any(fnmatchcase(f, p) for p in excludes)}
    for token in command.split():
        if token.endswith(".py") and token in python:
            start.add(token)
        elif token in by_module:
            start.add(by_module[token])
    todo, seen = list(start), set(start)
    while todo:
        rel = todo.pop()
        for _, tree in python_trees(root, [rel]):
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    target = by_module.get(name)
                    if target and target not in seen:
                        seen.add(target)
                        todo.append(target)
    return sorted(seen)


def all_rows_check(rows: int, declared: list[tuple[str, int]],
                   statements: list[dict[str, Any]], auc_note: str = "") -> CheckResult:
    """train.all-rows from the declared counts and the subsampling statements."""
    evidence: dict[str, Any] = {"file_rows": rows, "declared": [
        {"where": w, "rows": v} for w, v in declared[:5]], "statements": statements}
    few = [(w, v) for w, v in declared if rows and v < SUBSAMPLE * rows]
    active = [s for s in statements if s["state"] == "on"]
    shown = [f"{s['file']}:{s['line']} `{s['code']}`"
             + (f" behind {s['flag']}" if s["flag"] else "") for s in active[:2]]
    if few or active:
        parts = []
        if few:
            where, value = few[0]
            parts.append(f"the model records {value:,} training rows ({where}) of the "
                         f"{rows:,} in the training file")
        if active:
            parts.append(f"the training code keeps about {active[0]['share']:.0%} of the "
                         f"rows: {'; '.join(shown)}")
        return CheckResult.failed(
            "train.all-rows", "trained on a subsample, not on the data the contract gives: "
            + "; ".join(parts) + " (a debug setting left on?)" + auc_note, title=TITLE,
            evidence=evidence)
    notes = [f"{s['file']}:{s['line']} `{s['code']}` behind {s['flag']} (off unless it is "
             "turned on)" for s in statements if s["state"] != "on"][:2]
    said = (f"the model records {declared[0][1]:,} training rows of {rows:,}" if declared
            else f"no subsample of the {rows:,} rows in the training code")
    return CheckResult.passed("train.all-rows", said + (f"; noted: {'; '.join(notes)}"
                                                        if notes else ""),
                              title=TITLE, evidence=evidence)
