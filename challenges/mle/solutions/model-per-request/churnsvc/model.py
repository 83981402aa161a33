"""Reading the model from MODEL_PATH.

The latest model is read on each call, so a retrained model dropped into MODEL_PATH is
picked up without restarting the service.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import skops.io as sio

MODEL_DIR = Path(os.environ.get("MODEL_PATH", "model"))


def load_card() -> dict[str, Any]:
    card: dict[str, Any] = json.loads((MODEL_DIR / "card.json").read_text())
    return card


def load_model() -> Any:
    path = MODEL_DIR / "forest.skops"
    return sio.load(path, trusted=sio.get_untrusted_types(file=path))
