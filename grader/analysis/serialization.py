"""How a model is serialized, judged on the host from the artifact's bytes (nothing is loaded):
pickle opcodes (pickle, joblib, cloudpickle, dill, torch.save's zip, object arrays in .npy/.npz)
are "pickle-based", whatever the file is called (`model.bin`, `weights.dat`); JSON, NPZ/NPY of
plain numbers, safetensors, ONNX, skops, native booster formats (LightGBM text, XGBoost JSON or
UBJ, CatBoost) and plain text are data formats, safe to load. Bytes that match none are
"unknown", never called pickle. Without an artifact (training failed, or it was over the cap)
the code that saves the model is read instead, and the message says so.
"""

from __future__ import annotations

import io
import json
import pickletools
import re
import zipfile
import zlib
from pathlib import Path

from grader.checks import CheckResult

PICKLE_BASED = re.compile(r"\b(joblib|pickle|cloudpickle|dill)\.dumps?\(|\btorch\.save\(")
SAFE_FORMATS = re.compile(r"\bskops\b|\bonnx\b|convert_sklearn|to_onnx|\.save_model\(|"
                          r"safetensors")
PICKLE = "pickle-based"
UNKNOWN = "unknown"
_MAX_SOURCE_BYTES = 1024 * 1024
_UBJ_MARKERS = b"{[ZNTFiUIlLdDSCH$#"


def _pickle_opcodes(data: bytes) -> bool:
    """Whether `data` parses as a pickle stream up to its STOP opcode (opcodes are only read,
    never executed); a protocol-2+ pickle starts with PROTO, older ones are checked whole."""
    if not data or (data[0] == 0x80 and (len(data) < 2 or not 2 <= data[1] <= 5)):
        return False
    if data[0] != 0x80 and data[0] not in b"(]}cK\x8c)N.IFSVl":
        return False
    try:
        for count, (opcode, _, _) in enumerate(pickletools.genops(io.BytesIO(data)), 1):
            if opcode.name == "STOP":
                return count > 1 or data[0] == 0x80
    except (ValueError, EOFError, UnicodeDecodeError, IndexError, KeyError, OverflowError):
        return False
    return False


def _decompressed_head(data: bytes, size: int = 1 << 16) -> bytes | None:
    """The first bytes of a zlib or gzip stream (joblib's compressed files), or None."""
    if data[:2] == b"\x1f\x8b":
        wbits = 16 + zlib.MAX_WBITS
    elif len(data) > 1 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        wbits = zlib.MAX_WBITS
    else:
        return None
    try:
        return zlib.decompressobj(wbits).decompress(data, size)
    except zlib.error:
        return None


def _npy_kind(head: bytes) -> str:
    """A .npy file: pickle-based when its dtype holds objects (stored as a pickle)."""
    header = head[10:10 + 4096].split(b"\n", 1)[0]
    return PICKLE if re.search(rb"'descr':\s*'\|O'", header) else "NumPy array"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(n.endswith((".pkl", "data.pkl", ".pickle")) for n in names):
                return f"{PICKLE} (torch.save / pickle inside a zip)"
            if "schema.json" in names:
                return "skops"
            if names and all(n.endswith(".npy") for n in names):
                for name in names:
                    with archive.open(name) as member:
                        if _npy_kind(member.read(4096)) == PICKLE:
                            return f"{PICKLE} (object array in NPZ)"
                return "NPZ"
            if any(n.endswith(".onnx") for n in names):
                return "zip of ONNX"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return UNKNOWN
    return UNKNOWN


def _json_kind(data: bytes) -> str | None:
    text = data.lstrip()[:1]
    if text not in (b"{", b"["):
        return None
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return "XGBoost JSON" if b'"learner"' in data[:4096] else "JSON"


def _safetensors(data: bytes) -> bool:
    if len(data) < 10:
        return False
    length = int.from_bytes(data[:8], "little")
    return 2 <= length <= len(data) - 8 and data[8:9] == b"{"


def _onnx(name: str, data: bytes) -> bool:
    """ONNX is protobuf: field 1 (ir_version) first, and the operator set's domain named."""
    return data[:1] == b"\x08" and (name.endswith(".onnx") or b"onnx" in data[:4096]
                                    or b"ai.onnx" in data[-4096:])


def _text(data: bytes) -> bool:
    head = data[:4096]
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in decoded)


def classify(name: str, data: bytes) -> str:
    """The format of one artifact file, from its bytes: "pickle-based ..." or "unknown" or
    the name of a data format."""
    if data[:6] == b"\x93NUMPY":
        return _npy_kind(data)
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    if data[:5] == b"tree\n" or data[:12] == b"tree\nversion":
        return "LightGBM text"
    if data[:4] == b"CBM1":
        return "CatBoost"
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        return "HDF5"
    if _pickle_opcodes(data):
        return f"{PICKLE} (pickle opcodes)"
    head = _decompressed_head(data)
    if head is not None and (_pickle_opcodes(head) or head[:1] == b"\x80"):
        return f"{PICKLE} (compressed pickle, as joblib writes it)"
    json_kind = _json_kind(data)
    if json_kind:
        return json_kind
    if data[:1] in (b"{", b"[") and data[1:2] and data[1:2] in _UBJ_MARKERS:
        return "XGBoost UBJ" if b"learner" in data[:256] else "UBJSON"
    if _safetensors(data):
        return "safetensors"
    if _onnx(name, data):
        return "ONNX"
    if _text(data):
        return "text"
    return UNKNOWN


def _code_uses(root: Path, own_files: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(pickle-based saves, safe-format uses) in the candidate's code, as "file:line code"."""
    pickle_uses, safe_uses = [], []
    for rel in own_files:
        if not rel.endswith(".py") or (root / rel).stat().st_size > _MAX_SOURCE_BYTES:
            continue
        for n, line in enumerate((root / rel).read_text(errors="replace").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            if PICKLE_BASED.search(line):
                pickle_uses.append(f"{rel}:{n} {line.strip()[:100]}")
            elif SAFE_FORMATS.search(line):
                safe_uses.append(f"{rel}:{n} {line.strip()[:100]}")
    return pickle_uses, safe_uses


def serialization_check(root: Path, own_files: tuple[str, ...],
                        artifact: dict[str, bytes] | None) -> CheckResult:
    """static.serialization: a data format (passed), pickle-based (failed, half credit) or
    unknown (unverified: it costs nothing, and the reviewer is told to ask)."""
    title = "Serialization format"
    pickle_uses, safe_uses = _code_uses(root, own_files)
    if not artifact:
        return _from_code(pickle_uses, safe_uses, title)
    formats = {name: classify(name, data) for name, data in sorted(artifact.items())}
    pickled = {n: f for n, f in formats.items() if f.startswith(PICKLE)}
    unknown = [n for n, f in formats.items() if f == UNKNOWN]
    evidence = {"formats": dict(list(formats.items())[:50]), "pickle_based_code":
                pickle_uses[:10], "safe_format_code": safe_uses[:10]}
    shown = ", ".join(f"{n}: {f}" for n, f in list(formats.items())[:4])
    if pickled:
        first = next(iter(pickled))
        how = pickled[first].removeprefix(PICKLE).strip(" ()")
        written = f"; saved at {pickle_uses[0].split(' ')[0]}" if pickle_uses else ""
        return CheckResult.failed(
            "static.serialization", f"pickle-based ({first}: {how}{written}): loading it runs "
            "arbitrary code, so it must never come from an untrusted source; skops, ONNX or "
            "the library's native format avoid that",
            points=0.5, title=title, kind="static", evidence=evidence)
    if unknown:
        return CheckResult.unverified(
            "static.serialization", f"unknown format ({', '.join(unknown[:3])}): neither "
            "pickle nor a data format grader knows; ask how it is loaded", title=title,
            kind="static", evidence=evidence)
    return CheckResult.passed("static.serialization", f"data formats, safe to load ({shown})",
                              title=title, kind="static", evidence=evidence)


def _from_code(pickle_uses: list[str], safe_uses: list[str], title: str) -> CheckResult:
    evidence = {"pickle_based_code": pickle_uses[:10], "safe_format_code": safe_uses[:10]}
    note = "no artifact to read, judged from the code"
    if pickle_uses:
        where = ", ".join(u.split(" ")[0] for u in pickle_uses[:3])
        return CheckResult.failed(
            "static.serialization", f"pickle-based ({where}; {note}): loading it runs "
            "arbitrary code; skops, ONNX or the library's native format avoid that",
            points=0.5, title=title, kind="static", evidence=evidence)
    if safe_uses:
        where = ", ".join(u.split(" ")[0] for u in safe_uses[:3])
        return CheckResult.passed("static.serialization", f"a format that is safe to load "
                                  f"({where}; {note})", title=title, kind="static",
                                  evidence=evidence)
    return CheckResult.unverified("static.serialization", f"{note}, and the code names no "
                                  "known format", title=title, kind="static",
                                  evidence=evidence)
