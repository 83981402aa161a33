"""The backend track's `track_config` (challenge.yaml), typed: every key, its one default and
what it must be."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.analysis.frameworks import KNOWN
from grader.analysis.sources import syntax_tree
from grader.typed import positive, spec


def _known_frameworks(value: list[str]) -> bool:
    return bool(value) and set(value) <= set(KNOWN)


@dataclass(frozen=True)
class BackendConfig:
    """How a backend challenge is served and tested."""

    frameworks: list[str] = spec(default_factory=lambda: list(KNOWN), check=_known_frameworks,
                                 expected=f"a non-empty list drawn from {list(KNOWN)}",
                                 doc="frameworks the hiring team accepts; another one is "
                                     "flagged (static.framework) but still graded")
    port: int = spec(8000, check=positive, expected="a positive integer (a TCP port)",
                     doc="the port the server must listen on ($PORT)")
    health_path: str = spec("/health", doc="answers 200 once the server is ready")
    startup_timeout_seconds: float = spec(45.0, check=positive,
                                          expected="a positive number of seconds")
    hidden_tests: Path = spec(Path("hidden"), path="dir",
                              expected="a folder of hidden tests in the challenge",
                              doc="the hidden pytest suite, run in the tester container")
    suite_passwords: list[str] = spec(
        default_factory=list, doc="passwords the hidden suite registers users with: looked "
        "for in the server's data files, in clear or as unsalted fast hashes")
    server_excludes: list[str] = spec(
        default_factory=lambda: ["*.sqlite", "*.sqlite3", "*.db", "data/*"],
        doc="fnmatch patterns of submitted files not handed to the server (a committed "
            "database would let it start with data of its own)")
    data_cap_mb: float = spec(64.0, check=positive, expected="a positive number (MiB)",
                              doc="the largest work folder read back to inspect its data")


def hidden_test_ids(folder: Path) -> list[str]:
    """`http.<module>.<test>` for every test function of the hidden suite (parametrized ones
    as a family `...[*]`), read with ast: the ids the track can report."""
    ids: list[str] = []
    for file in sorted(folder.glob("test_*.py")):
        try:
            tree = syntax_tree(file.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        module = PurePosixPath(file.name).stem.removeprefix("test_")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    node.name.startswith("test_"):
                base = f"http.{module}.{node.name.removeprefix('test_')}"
                ids += [base, f"{base}[*]"]
    return ids
