"""Seeded challenge data: a challenge's generator (a Python file in the challenge, run on the
host) called as `generate(seed)`, cached per generator file and seed for the process.

Generators are challenge data, trusted like hidden tests: they make the public data, hidden
variants, holdout sets and answer keys. Each is imported once under a name derived from its
path; each (generator, seed) is generated once, under a lock, whatever the number of threads
grading at the same time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.errors import ChallengeConfigError

_lock = threading.Lock()
_generated: dict[tuple[str, int], Any] = {}


def load_generator(path: Path) -> ModuleType:
    """The generator module at `path`, imported once per process."""
    name = "grader_generator_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    with _lock:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ChallengeConfigError(f"{path}: cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[name]
            raise
        return module


def generated(path: Path, seed: int) -> Any:
    """`generate(seed)` of the generator at `path`, computed once per process."""
    key = (str(path.resolve()), seed)
    module = load_generator(path)
    with _lock:
        if key not in _generated:
            _generated[key] = module.generate(seed)
        return _generated[key]
