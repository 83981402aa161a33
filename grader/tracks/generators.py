"""Load a challenge's data generator (a Python file in the challenge, run on the host).

Generators are challenge data, trusted like hidden tests: they make the public data, hidden
variants and answer keys. Each is loaded once per process under a name derived from its path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

from grader.errors import ChallengeConfigError

_lock = threading.Lock()


def load_generator(path: Path) -> ModuleType:
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
