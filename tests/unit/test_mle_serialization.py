"""The serialization format judged from the artifact's bytes: pickle opcodes under any name are
pickle-based, data formats are safe, and what matches nothing is unknown, never pickle."""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from grader.analysis.serialization import PICKLE, UNKNOWN, classify, serialization_check


def zip_of(**members: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buf.getvalue()


def npy(descr: str) -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}".encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header) + 1) + header + b"\n" + b"\0" * 16


PAYLOAD = {"weights": [0.1, 0.2], "classes": (0, 1)}


@pytest.mark.parametrize(("name", "data"), [
    ("model/model.bin", pickle.dumps(PAYLOAD, protocol=4)),
    ("model/weights.dat", pickle.dumps(PAYLOAD, protocol=0)),
    ("model/model.joblib", zlib.compress(pickle.dumps(PAYLOAD, protocol=4))),
    ("model/anything.pkl", pickle.dumps(PAYLOAD, protocol=5)),
    ("model/net.pt", zip_of(archive__data_pkl=b"", **{"archive__data.pkl":
                                                      pickle.dumps(PAYLOAD)})),
    ("model/arrays.npz", zip_of(**{"w.npy": npy("|O")})),
    ("model/w.npy", npy("|O")),
])
def test_pickle_opcodes_are_pickle_based_whatever_the_name(name: str, data: bytes) -> None:
    assert classify(name, data).startswith(PICKLE), name


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("model/weights.json", json.dumps({"coef": [0.5, -1.0], "intercept": 0.1}).encode(),
     "JSON"),
    ("model/xgb.json", json.dumps({"learner": {"attributes": {}}}).encode(), "XGBoost JSON"),
    ("model/xgb.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{", "XGBoost UBJ"),
    ("model/booster.txt", b"tree\nversion=v4\nnum_class=1\n", "LightGBM text"),
    ("model/model.skops", zip_of(**{"schema.json": b"{}", "123.npy": npy("<f8")}), "skops"),
    ("model/w.npz", zip_of(**{"coef.npy": npy("<f8"), "bias.npy": npy("<f4")}), "NPZ"),
    ("model/w.npy", npy("<f8"), "NumPy array"),
    ("model/w.safetensors", struct.pack("<Q", 2) + b"{}" + b"\0" * 8, "safetensors"),
    ("model/churn.onnx", b"\x08\x08\x12\x08skl2onnx\x1a\x051.1.0", "ONNX"),
    ("model/model.cbm", b"CBM1" + b"\0" * 20, "CatBoost"),
    ("model/README.txt", b"trained on 2024-06-11\n", "text"),
])
def test_data_formats_are_named(name: str, data: bytes, kind: str) -> None:
    assert classify(name, data) == kind


def test_unknown_bytes_are_unknown_not_pickle() -> None:
    assert classify("model/model.bin", bytes(range(256)) * 4) == UNKNOWN
    assert classify("model/model.pkl", b"\x80\x09garbage") == UNKNOWN


def test_the_check_from_bytes_and_from_code(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import joblib\njoblib.dump(model, 'model/m.bin')\n")
    own = ("train.py",)
    pickled = serialization_check(tmp_path, own, {"model/m.bin": pickle.dumps(PAYLOAD)})
    assert pickled.status == "failed" and pickled.points == 0.5
    assert "model/m.bin" in pickled.message and "train.py:2" in pickled.message
    safe = serialization_check(tmp_path, own, {"model/booster.txt": b"tree\nversion=v4\n"})
    assert safe.status == "passed"  # the bytes decide, not a joblib line elsewhere
    unknown = serialization_check(tmp_path, own, {"model/m.bin": bytes(range(256))})
    assert unknown.status == "skipped" and unknown.max_points == 0
    assert "unknown format" in unknown.message and "pickle" not in unknown.message.split(
        ":")[0]
    from_code = serialization_check(tmp_path, own, None)
    assert from_code.status == "failed" and "judged from the code" in from_code.message
