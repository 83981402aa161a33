"""Authoring tool: writes the MLE kit's data/train.csv from the generator and the public seed.

    python challenges/mle/tools/write_kit_data.py

tests/unit/test_mle_kit.py fails when the committed file is out of date.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml

CHALLENGE = Path(__file__).resolve().parents[1]
KIT_DATA = CHALLENGE.parents[1] / "starter_kits" / CHALLENGE.name / "common" / "data"


def train_csv() -> bytes:
    spec = importlib.util.spec_from_file_location("mle_generator_tool",
                                                  CHALLENGE / "data" / "generator.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    seed = yaml.safe_load((CHALLENGE / "challenge.yaml").read_text())["track_config"]["data"][
        "public_seed"]
    return bytes(module.generate(seed).train_csv)


def main() -> None:
    KIT_DATA.mkdir(parents=True, exist_ok=True)
    (KIT_DATA / "train.csv").write_bytes(train_csv())
    print(KIT_DATA / "train.csv")


if __name__ == "__main__":
    main()
