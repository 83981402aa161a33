"""How a model is serialized, read on the host: the code that saves it and the artifact's
file names. Pickle-based formats (pickle, joblib, cloudpickle, dill, torch.save) run arbitrary
code when loaded; skops, ONNX, safetensors and native booster formats do not."""

from __future__ import annotations

import re
from pathlib import Path

from grader.checks import CheckResult

PICKLE_BASED = re.compile(r"\b(joblib|pickle|cloudpickle|dill)\.dumps?\(|\btorch\.save\(")
SAFE_FORMATS = re.compile(r"\bskops\b|\bonnx\b|convert_sklearn|to_onnx|\.save_model\(|"
                          r"safetensors")
SAFE_SUFFIXES = (".skops", ".onnx", ".safetensors", ".ubj")
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".sav")
_MAX_SOURCE_BYTES = 1024 * 1024


def serialization_check(root: Path, own_files: tuple[str, ...],
                        artifact_files: list[str]) -> CheckResult:
    """static.serialization: safe format (passed), pickle-based (half credit) or unknown."""
    title = "Serialization format"
    pickle_uses, safe_uses = [], []
    for rel in own_files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > _MAX_SOURCE_BYTES:
            continue
        for n, line in enumerate((root / rel).read_text(errors="replace").splitlines(), 1):
            if PICKLE_BASED.search(line):
                pickle_uses.append(f"{rel}:{n} {line.strip()[:100]}")
            elif SAFE_FORMATS.search(line) and not line.lstrip().startswith("#"):
                safe_uses.append(f"{rel}:{n} {line.strip()[:100]}")
    names = sorted(artifact_files)
    safe_files = [n for n in names if n.endswith(SAFE_SUFFIXES)]
    pickle_files = [n for n in names if n.endswith(PICKLE_SUFFIXES)]
    evidence = {"pickle_based": pickle_uses[:10], "safe_formats": safe_uses[:10],
                "artifact_files": names[:50]}
    if (safe_files or safe_uses) and not (pickle_files or pickle_uses):
        return CheckResult.passed(
            "static.serialization", "a format that is safe to load (skops/ONNX/native): "
            + ", ".join(safe_files[:3] or [u.split(" ")[0] for u in safe_uses[:3]]),
            title=title, kind="static", evidence=evidence)
    if pickle_files or pickle_uses:
        where = ", ".join(pickle_files[:3] or [u.split(" ")[0] for u in pickle_uses[:3]])
        return CheckResult.failed(
            "static.serialization", f"pickle-based ({where}): loading it runs arbitrary "
            "code, so it must never come from an untrusted source; skops or ONNX avoid "
            "that", points=0.5, title=title, kind="static", evidence=evidence)
    return CheckResult.failed("static.serialization", "no known serialization format found "
                              "in the code or the artifact", title=title, kind="static",
                              evidence=evidence)
