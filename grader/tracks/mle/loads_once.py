"""`serve.loads-once`: is the model loaded once, or read from disk on every request?

Behaviour first: once the server has answered every probe and still answers /health, the
artifact at $MODEL_PATH is moved away inside the server's container (`mv`, as the server's
own user), and a second prober run sends the first holdout batch again (answered before)
and a batch of fresh records (answered from no cache). A server that loaded its model once
answers both as before; one that reads the artifact per request fails, or answers
differently. Static evidence second: a loading call (`joblib.load`, `load_model`,
`InferenceSession`, ...) in the handler of POST /predict or in a function it calls, which
points the reviewer at the line, or stands alone (said so) when the engine cannot move the
file.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from grader.analysis.routes import find_routes, handler_for
from grader.analysis.sources import python_trees
from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.tracks.mle.model_checks import items, mapping, probs_of

TITLE = "The model is loaded once, not per request"
MOVED_SUFFIX = ".moved-by-grader"
SAME = 1e-4
#: Calls that read a model (or its parameters) from disk, by their last name.
LOADERS = {"load", "load_model", "load_file", "InferenceSession", "Booster", "read_json",
           "from_file", "load_weights"}
CACHED = {"cache", "lru_cache", "cached", "cached_property"}


def move_command(artifact: str) -> list[str]:
    """The command run in the server's container: the artifact moved beside itself, by the
    image's own /bin/mv (read-only root; never a program of the candidate's packages found
    on PATH), the path an argument, never part of a shell line."""
    return ["/bin/mv", "--", artifact, f"{artifact}{MOVED_SUFFIX}"]


def after_move_plan(first_batch: list[dict[str, Any]], fresh: list[dict[str, Any]],
                    batch_size: int, request_seconds: float) -> dict[str, Any]:
    """The second prober run's plan: no wait for /health (it may check the file), the first
    holdout batch as sent before, then fresh records."""
    return {"records": [*first_batch, *fresh], "batch_size": batch_size,
            "request_seconds": request_seconds, "predict_only": True, "skip_ready": True}


def after_move_results(raw: bytes | None) -> dict[str, Any]:
    data = json_or_none(raw)
    return data if isinstance(data, dict) else {}


def load_calls(root: Path, files: list[str]) -> list[dict[str, Any]]:
    """Loading calls in the handler of POST /predict, or in a function of the same module it
    calls (one level, not behind a cache decorator): file, line and the call."""
    route = handler_for(find_routes(root, files), "POST", "/predict")
    if route is None:
        return []
    trees = dict(python_trees(root, [route.file]))
    tree = trees.get(route.file)
    if tree is None:
        return []
    functions = {n.name: n for n in ast.walk(tree)
                 if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    name = route.handler.split(".")[-1]
    handler = next((n for n in functions.values() if n.lineno == route.line
                    or any(d.lineno == route.line for d in n.decorator_list)),
                   functions.get(name))
    if handler is None:
        return []
    found = _loads_in(handler, route.file)
    for call in ast.walk(handler):
        callee = functions.get(_last_name(call.func)) if isinstance(call, ast.Call) else None
        if callee is not None and callee is not handler and not _cached(callee):
            found += [{**f, "via": callee.name} for f in _loads_in(callee, route.file)]
    return found[:5]


def _loads_in(function: ast.AST, rel: str) -> list[dict[str, Any]]:
    return [{"file": rel, "line": n.lineno, "call": ast.unparse(n.func)[:60]}
            for n in ast.walk(function)
            if isinstance(n, ast.Call) and _last_name(n.func) in LOADERS]


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _cached(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_last_name(d.func if isinstance(d, ast.Call) else d) in CACHED
               for d in function.decorator_list)


def _where(static: list[dict[str, Any]]) -> str:
    if not static:
        return ""
    first = static[0]
    via = f" (through {first['via']}())" if first.get("via") else ""
    return (f"; the handler of POST /predict calls {first['call']}() at "
            f"{first['file']}:{first['line']}{via}")


def loads_once_check(before: list[Any], moved: tuple[int, bytes] | None,
                     after: dict[str, Any] | None, n_first: int, artifact: str,
                     static: list[dict[str, Any]], why_not: str = "",
                     deterministic: bool = True) -> CheckResult:
    """`before`: the first holdout batch's predictions as first answered; `moved`: the move
    command's exit code and output (None: the engine cannot run it); `after`: the second
    prober run's results (its first `n_first` predictions are that batch again). Changed
    answers are evidence only from a server whose answers do not vary anyway
    (`deterministic`, api.deterministic)."""
    evidence: dict[str, Any] = {"artifact": artifact, "load_calls": static}
    where = _where(static)
    if why_not or moved is None or moved[0] != 0 or after is None:
        reason = why_not or ("the engine cannot run a command in the server's container"
                             if moved is None else
                             f"moving {artifact} failed ("
                             f"{moved[1][:200].decode('utf-8', 'replace').strip()})"
                             if moved[0] != 0 else "the second prober run left no results")
        if static and moved is None:
            return CheckResult.failed(
                "serve.loads-once", f"the code loads the model inside the request handler "
                f"(read from the code, not seen in behaviour: {reason})"
                + where.replace("; the handler", ": the handler"), points=0.5, title=TITLE,
                evidence=evidence)
        return CheckResult.unverified("serve.loads-once", f"not measured: {reason}",
                                      title=TITLE, evidence=evidence)
    preds = items(mapping(after.get("holdout")).get("predictions"))
    errors = items(mapping(after.get("holdout")).get("errors"))
    again = probs_of(preds[:n_first])
    fresh = probs_of(preds[n_first:])
    first = probs_of(before[:n_first])
    answered_again = sum(p is not None for p in again or [])
    answered_fresh = sum(p is not None for p in fresh or [])
    evidence.update({"answered_again": answered_again, "answered_fresh": answered_fresh,
                     "errors": errors[:3]})
    moved_note = f"once the server had answered, {artifact} was moved away in its container"
    if not answered_again and not answered_fresh:
        err = errors[0] if errors and isinstance(errors[0], dict) else {}
        said = " ".join(str(err.get("problem") or err.get("body") or "").split())[:160]
        seen = f"{err.get('status') or 'no answer'}" + (f" ({said})" if said else "")
        return CheckResult.failed(
            "serve.loads-once", f"{moved_note}, and POST /predict then answered {seen}: the "
            "model is read from disk on every request (slow, and a server that fails when "
            f"its files change){where}", title=TITLE, evidence=evidence)
    changed = [i for i, (a, b) in enumerate(zip(first or [], again or [], strict=False))
               if a is not None and b is not None and abs(a - b) > SAME] if deterministic \
        else []
    if changed:
        return CheckResult.failed(
            "serve.loads-once", f"{moved_note}, and the same {n_first} records then got other "
            f"probabilities ({len(changed)} changed): the model is loaded per request, and "
            f"without the file the server answers with something else{where}",
            title=TITLE, evidence=evidence)
    missing = (n_first - answered_again) + (len(fresh or []) - answered_fresh)
    if missing:
        return CheckResult.failed(
            "serve.loads-once", f"{moved_note}, and {missing} of "
            f"{n_first + len(fresh or [])} records then got no valid prediction: part of "
            f"the serving path reads the artifact per request{where}", points=0.5,
            title=TITLE, evidence=evidence)
    return CheckResult.passed(
        "serve.loads-once", f"{moved_note}; the server went on answering the same for "
        f"{n_first} records it had answered and {answered_fresh} new ones: the model is "
        "loaded once", title=TITLE, evidence=evidence)
