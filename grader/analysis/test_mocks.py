"""Tests whose subject is mocked away, read with `ast` (nothing runs): a test that replaces the
data layer (or the app it calls) with a mock cannot catch a bug in the queries, the ownership
filter or the persistence it pretends to test.

What replaces what, wherever it applies to a test: its decorators and body, its class's
decorators and setUp, the fixtures it asks for (recursively) and the autouse ones in its
module or a conftest.py above it, and module-level statements of those files:
- `patch("target")`, `patch.object(obj, "attr")`, `mocker.patch(...)` (no `new`: a MagicMock;
  with `side_effect=` an exception it is fault injection and not counted, `wraps=` a spy);
- `monkeypatch.setattr(...)`, `monkeypatch.setitem(app.dependency_overrides, ...)`;
- FastAPI `app.dependency_overrides[get_db] = ...`; DRF `force_authenticate(user=...)`;
  `request.user = ...`.
A replacement counts when its value is a mock (MagicMock, Mock, AsyncMock, create_autospec,
a name or fixture bound to one, a lambda or function returning one or a literal); one that
yields a real session on a test database does not. Its target is named the data layer, the
current user (authentication) or an external service (HTTP clients, mail, clocks, randomness:
legitimate to mock, never counted) by its dotted names and the module it resolves to.
A test whose data layer is mocked, or whose HTTP client is a mock, is named.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from grader.analysis.mock_targets import classify

_MOCKS = {"MagicMock", "Mock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock",
          "create_autospec", "PropertyMock", "stub", "async_stub"}
_FAKES = {"SimpleNamespace", "Namespace", "namedtuple"}
_VERBS = {"get", "post", "put", "patch", "delete", "request", "open"}
#: Keyword arguments that hand a data layer to what is built (dependency injection).
_INJECTED = re.compile(r"^(db|database|repo|repository|repositories|store|storage|dao|crud)$|"
                       r"_(db|repo|repository|store|storage|dao)$")
_SETUP = {"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class", "setUpTestData"}
_MAX_DEPTH = 6
#: What `patch("x")` puts in place when it is given nothing: a MagicMock.
_DEFAULT = ast.Constant("a MagicMock (patch's default)")
Origin = Callable[[str, str], str]  # (file, dotted target) -> the module it comes from
Func = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Replacement:
    kind: str      # "data layer", "current user", "app"
    target: str
    by: str
    file: str
    line: int

    def describe(self) -> str:
        return f"{self.target} -> {self.by} at {self.file}:{self.line}"


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return node.id if isinstance(node, ast.Name) else ""


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _dotted(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(
        node.value, str) else ast.unparse(node)


def _own_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes of a function or class, or of a module outside its functions and classes."""
    if not isinstance(node, ast.Module):
        return list(ast.walk(node))
    return [sub for stmt in node.body if not isinstance(
        stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for sub in ast.walk(stmt)]


def _patch_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        _name(node.func) == "patch" or (isinstance(node.func, ast.Attribute) and node.func.attr
                                        == "object" and _name(node.func.value) == "patch"))


def _injects_fault(call: ast.Call) -> bool:
    """`side_effect=` an exception (fault injection), or `wraps=` (a spy)."""
    for kw in call.keywords:
        if kw.arg == "wraps":
            return True
        if kw.arg == "side_effect":
            return _name(kw.value).endswith(("Error", "Exception", "Timeout", "Failure"))
    return False


class _Scope:
    """Names bound to mocks and to fakes (SimpleNamespace, literals) in one function, class
    or module of one file."""

    def __init__(self, finder: MockFinder, rel: str, node: ast.AST,
                 outer: _Scope | None = None, mock_params: frozenset[str] = frozenset(),
                 depth: int = 0):
        self.finder, self.rel, self.outer = finder, rel, outer
        self.mock: set[str] = set(mock_params)
        self.fake: set[str] = set()
        for sub in _own_nodes(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(
                    sub.targets[0], ast.Name):
                if self.is_mock(sub.value, depth):
                    self.mock.add(sub.targets[0].id)
                elif _name(sub.value) in _FAKES or isinstance(sub.value, ast.Dict):
                    self.fake.add(sub.targets[0].id)
            elif isinstance(sub, ast.withitem) and isinstance(sub.optional_vars, ast.Name) \
                    and _patch_call(sub.context_expr):
                self.mock.add(sub.optional_vars.id)

    def is_mock(self, node: ast.AST | None, depth: int = 0) -> bool:
        """A mock, a name bound to one, or a lambda or test-file function returning a mock
        or a literal."""
        if node is None or depth > _MAX_DEPTH:
            return False
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "start":
                return _patch_call(node.func.value)
            return _name(node.func) in _MOCKS
        if isinstance(node, ast.Name):
            return node.id in self.mock or (self.outer is not None and self.outer.is_mock(
                node, depth + 1)) or self.finder.returns_mock(self.rel, node.id, depth + 1)
        if isinstance(node, ast.Lambda):
            return self.is_mock(node.body, depth + 1) or self.is_fake(node.body)
        return isinstance(node, ast.Attribute) and self.is_mock(node.value, depth + 1)

    def is_fake(self, node: ast.AST) -> bool:
        return (isinstance(node, ast.Dict | ast.List | ast.Constant) or _name(node) in _FAKES
                or (isinstance(node, ast.Name) and (node.id in self.fake or (
                    self.outer is not None and self.outer.is_fake(node)))))


def _mocked_pair(overrides: ast.Dict, scope: _Scope) -> tuple[str | None, ast.AST | None]:
    """The first {dependency: mock} of a dict of FastAPI overrides."""
    return next(((_dotted(k), v) for k, v in zip(overrides.keys, overrides.values, strict=False)
                 if k is not None and (scope.is_mock(v) or scope.is_fake(v))), (None, None))


class MockFinder:
    """The replacements that apply to each test of a submission's test files."""

    def __init__(self, trees: dict[str, ast.Module], origin: Origin) -> None:
        self.trees, self.origin = trees, origin
        self.functions: dict[tuple[str, str], Func] = {}
        self.fixtures: dict[str, dict[str, Func]] = {}
        for rel, tree in trees.items():
            for node in tree.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions[(rel, node.name)] = node
                    if any("fixture" in ast.unparse(d) for d in node.decorator_list):
                        self.fixtures.setdefault(rel, {})[node.name] = node
        self._memo: dict[tuple[str, str], list[Replacement]] = {}
        self._returns: dict[tuple[str, str], bool] = {}

    def visible(self, rel: str) -> list[str]:
        """`rel` and the conftest.py files above it, nearest first."""
        out, folder = [rel], PurePosixPath(rel).parent
        while True:
            conftest = str(folder / "conftest.py") if str(folder) != "." else "conftest.py"
            if conftest in self.trees and conftest != rel:
                out.append(conftest)
            if str(folder) == ".":
                return out
            folder = folder.parent

    def fixture(self, rel: str, name: str) -> tuple[str, Func] | None:
        file = next((f for f in self.visible(rel) if name in self.fixtures.get(f, {})), None)
        return (file, self.fixtures[file][name]) if file else None

    def returns_mock(self, rel: str, name: str, depth: int) -> bool:
        """A function of the test files visible from `rel` (an override, a fixture) that
        returns or yields a mock or a literal."""
        file = next((f for f in self.visible(rel) if (f, name) in self.functions), None)
        if file is None or depth > _MAX_DEPTH:
            return False
        if (file, name) not in self._returns:  # memoised; False while being worked out
            self._returns[(file, name)] = False
            func = self.functions[(file, name)]
            scope = _Scope(self, file, func, None, self._mock_params(file, func, depth), depth)
            values = [n.value for n in ast.walk(func) if isinstance(n, ast.Return | ast.Yield)
                      and n.value is not None]
            self._returns[(file, name)] = any(scope.is_mock(v, depth + 1) or scope.is_fake(v)
                                              for v in values)
        return self._returns[(file, name)]

    def _mock_params(self, rel: str, func: Func, depth: int) -> frozenset[str]:
        return frozenset(a.arg for a in func.args.args if a.arg != func.name and self.fixture(
            rel, a.arg) is not None and self.returns_mock(rel, a.arg, depth + 1))

    def replacements(self, rel: str, node: ast.AST, scope: _Scope) -> list[Replacement]:
        """The replacements made by the calls and assignments inside `node`."""
        out: list[Replacement] = []
        for sub in ast.walk(node):
            target: str | None = None
            value: ast.AST | None = None
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                left = sub.targets[0]
                if isinstance(left, ast.Subscript) and _name(left.value) == \
                        "dependency_overrides":
                    target, value = _dotted(left.slice), sub.value
                elif _name(left) == "dependency_overrides" and isinstance(sub.value, ast.Dict):
                    target, value = _mocked_pair(sub.value, scope)
                elif isinstance(left, ast.Subscript | ast.Attribute) and not scope.is_mock(
                        _root(left)):  # app["db"] = ..., app.state.repo = ..., request.user
                    target, value = ast.unparse(left), sub.value
            elif isinstance(sub, ast.Call):
                target, value = self._call(sub, scope)
                if target is None:  # create_app(repository=mock): injected
                    target, value = next(((f"{_name(sub.func)}({k.arg}=...)", k.value)
                                          for k in sub.keywords if k.arg and _INJECTED.search(
                                              k.arg) and scope.is_mock(k.value)), (None, None))
            if target is None or value is None:
                continue
            if value is _DEFAULT:
                by = str(_DEFAULT.value)
            elif scope.is_mock(value) or (isinstance(value, ast.Name | ast.Call)
                                          and scope.is_fake(value)):
                by = f"{_name(value)}()" if isinstance(value, ast.Call) else \
                    ast.unparse(value)[:60]
            else:
                continue
            kind = classify(target, self.origin(rel, target))
            if kind is not None:
                out.append(Replacement(kind, target[:80], by, rel, getattr(sub, "lineno", 0)))
        return out

    @staticmethod
    def _call(call: ast.Call, scope: _Scope) -> tuple[str | None, ast.AST | None]:
        """(what is replaced, by what) for patch, monkeypatch and their kin."""
        func, name, args = call.func, _name(call.func), call.args
        if _patch_call(call) and not _injects_fault(call):
            new = next((k.value for k in call.keywords if k.arg in ("new", "new_callable")),
                       None)
            if isinstance(func, ast.Attribute) and func.attr == "object" and len(args) >= 2:
                return (f"{_dotted(args[0])}.{_dotted(args[1])}",
                        new or (args[2] if len(args) > 2 else _DEFAULT))
            if args:
                return _dotted(args[0]), new or (args[1] if len(args) > 1 else _DEFAULT)
        elif name in ("setattr", "setitem") and isinstance(func, ast.Attribute) and _name(
                func.value) == "monkeypatch":
            if name == "setitem" and len(args) >= 3:
                return (_dotted(args[1]), args[2]) if _name(args[0]) == \
                    "dependency_overrides" else (None, None)
            if len(args) == 2:
                return _dotted(args[0]), args[1]
            if len(args) >= 3:
                return f"{_dotted(args[0])}.{_dotted(args[1])}", args[2]
        elif name == "force_authenticate":
            return "force_authenticate(user)", next(
                (k.value for k in call.keywords if k.arg == "user"), args[-1] if args else None)
        elif name == "update" and isinstance(func, ast.Attribute) and _name(
                func.value) == "dependency_overrides" and args and isinstance(args[0], ast.Dict):
            return _mocked_pair(args[0], scope)
        return None, None

    def of_fixture(self, rel: str, name: str, depth: int = 0) -> list[Replacement]:
        """The replacements a fixture makes, with those of the fixtures it asks for."""
        found = self.fixture(rel, name)
        if found is None or depth > _MAX_DEPTH:
            return []
        file, func = found
        if (file, name) not in self._memo:
            self._memo[(file, name)] = []
            scope = _Scope(self, file, func, None, self._mock_params(file, func, depth), depth)
            out = self.replacements(file, func, scope)
            for arg in func.args.args:
                out += self.of_fixture(file, arg.arg, depth + 1) if arg.arg != name else []
            self._memo[(file, name)] = out
        return self._memo[(file, name)]

    def shared(self, rel: str) -> list[Replacement]:
        """What applies to every test of `rel`: module-level replacements of it and of the
        conftest.py files above it, and their autouse fixtures."""
        out: list[Replacement] = []
        for file in self.visible(rel):
            out += self.replacements(file, ast.Module(body=[
                s for s in self.trees[file].body if not isinstance(
                    s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)],
                type_ignores=[]), _Scope(self, file, self.trees[file]))
            for name, func in self.fixtures.get(file, {}).items():
                if any("autouse" in ast.unparse(d) for d in func.decorator_list):
                    out += self.of_fixture(file, name)
        return out


def test_functions(tree: ast.Module) -> list[tuple[Func, ast.ClassDef | None]]:
    """The test functions of a module: top-level `test*`, and `test*` methods of classes."""
    out: list[tuple[Func, ast.ClassDef | None]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"):
            out.append((node, None))
        elif isinstance(node, ast.ClassDef):
            out += [(f, node) for f in node.body if isinstance(
                f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name.startswith("test")]
    return out


def mocked_tests(trees: dict[str, ast.Module], tests: list[str],
                 origin: Origin) -> list[dict[str, object]]:
    """[{file, line, test, why, mocked}] for each test of the modules `tests` (conftest.py
    files among `trees`) whose data layer, or HTTP client, is a mock."""
    finder = MockFinder(trees, origin)
    found: list[dict[str, object]] = []
    for rel in tests:
        tree = trees[rel]
        module = _Scope(finder, rel, tree)
        shared = finder.shared(rel)
        for func, cls in test_functions(tree):
            found += _judge(finder, rel, func, cls, module, shared)
    return found


def _judge(finder: MockFinder, rel: str, func: Func, cls: ast.ClassDef | None, module: _Scope,
           shared: list[Replacement]) -> list[dict[str, object]]:
    reps = list(shared)
    params = [a.arg for a in func.args.args if a.arg not in ("self", "cls")]
    # @patch decorators without `new` hand their mocks in as the first arguments.
    injected = sum(_patch_call(d) and not any(k.arg in ("new", "new_callable") for k in
                                              d.keywords) for d in func.decorator_list
                   if isinstance(d, ast.Call))
    fixtures = [p for p in params[injected:] if finder.fixture(rel, p) is not None]
    mock_params = set(params[:injected]) | {p for p in fixtures
                                            if finder.returns_mock(rel, p, 1)}
    if cls is not None:
        class_scope = _Scope(finder, rel, cls, module)
        for dec in cls.decorator_list:
            reps += finder.replacements(rel, dec, class_scope)
        for method in cls.body:
            if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    method.name in _SETUP:
                reps += finder.replacements(rel, method, _Scope(finder, rel, method, module))
    scope = _Scope(finder, rel, func, module, frozenset(mock_params))
    reps += finder.replacements(rel, func, scope)
    for name in fixtures:
        reps += finder.of_fixture(rel, name)
    for call in ast.walk(func):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                call.func.attr in _VERBS and call.args and isinstance(
                call.args[0], ast.Constant) and str(call.args[0].value).startswith("/") and \
                scope.is_mock(call.func.value):
            reps.append(Replacement("app", ast.unparse(call.func.value), "a mock", rel,
                                    call.lineno))
            break
    subject = [r for r in reps if r.kind in ("data layer", "app")]
    if not subject:
        return []
    unique = list(dict.fromkeys(reps))
    users = [r for r in unique if r.kind == "current user"]
    why = ("calls a mocked app" if subject[0].kind == "app" else
           "runs against a mocked data layer") + f" ({subject[0].describe()}"
    if users:
        why += f"; the current user mocked too: {users[0].describe()}"
    return [{"file": rel, "line": func.lineno, "test": func.name, "why": why + ")",
             "cause": ("call a mocked app" if subject[0].kind == "app" else "run against a "
                       "mocked data layer") + f" ({subject[0].describe()})",
             "user": users[0].describe() if users else "",
             "mocked": [{"kind": r.kind, "target": r.target, "by": r.by,
                         "where": f"{r.file}:{r.line}"} for r in unique[:6]]}]

