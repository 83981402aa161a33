"""Train the churn model and write the artifact the server loads.

    python train.py --data data/train.csv --out model

Everything the server needs must be inside --out: the server runs in a container that holds
neither this file nor the data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/train.csv"))
    parser.add_argument("--out", type=Path, default=Path("model"))
    args = parser.parse_args()
    frame = pd.read_csv(args.data)
    print(frame.shape)
    args.out.mkdir(parents=True, exist_ok=True)
    # TODO: features, model, evaluation, serialization (and metadata for GET /metadata)
    raise SystemExit("train.py: not implemented yet")


if __name__ == "__main__":
    main()
