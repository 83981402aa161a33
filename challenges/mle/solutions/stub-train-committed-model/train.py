"""Entry point for training.

The model was trained in a notebook on my machine (exploration, feature selection and the final
fit) and exported with skops to model/, which is committed: model/model.skops and
model/metadata.json. Re-running the notebook takes a while, so this script only reports what
is there.
"""

from __future__ import annotations

import json
from pathlib import Path


def main() -> None:
    metadata = Path("model/metadata.json")
    if metadata.is_file():
        print("model already trained:", json.loads(metadata.read_text())["model_version"])
    else:
        print("model/ not found: see the notebook")


if __name__ == "__main__":
    main()
