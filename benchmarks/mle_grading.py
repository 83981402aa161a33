"""Seconds per graded MLE submission, warm (images cached) and cold (images rebuilt), and
the share of each stage: images (with the dependency import check), training (twice),
serving + probing (holdout, latency, bad requests, leak, usage, determinism), serving the
retrained model (reproducibility), the candidate's own tests.

    .venv/bin/python benchmarks/mle_grading.py [--solution reference] [--runs 3] [--cold]

--cold removes the mle images first (the base layer stays), so the first run rebuilds them,
as on a fresh machine after the base image exists. Figures only; no test asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from grader.challenge import load_challenge
from grader.pipeline import Grader
from grader.sandbox.client import connect

ROOT = Path(__file__).resolve().parent.parent
# reproducibility (serving the retrained model) is timed on its own and also counted inside
# serve_and_probe; train holds both training runs (side by side when the machine allows).
STAGES = ("images", "train", "serve_and_probe", "reproducibility", "own_tests", "static")


def grade_once(solution: Path) -> dict[str, float]:
    challenge = load_challenge(ROOT / "challenges" / "mle")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        outcome = Grader(out_dir=Path(out), challenge=challenge).grade(solution)
        wall = time.perf_counter() - started
    timings = dict(outcome.report.timings)
    timings["wall"] = wall
    timings["percent"] = outcome.report.total.percent
    return timings


def show(label: str, t: dict[str, float]) -> None:
    parts = "  ".join(f"{k} {t.get(k, 0):5.1f}s ({100 * t.get(k, 0) / t['wall']:3.0f}%)"
                      for k in STAGES)
    print(f"{label:>6}: {t['wall']:6.1f} s  [{parts}]  score {t['percent']}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solution", default="reference")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    solution = ROOT / "challenges" / "mle" / "solutions" / args.solution

    if args.cold:
        client = connect()
        tags = [t for image in client.images.list() for t in image.tags
                if t.startswith("grader/mle-")]
        for tag in sorted(tags, key=lambda t: "deps" not in t):  # children first
            client.images.remove(tag, force=True)
        for _ in range(5):  # untagged leftovers would still serve as the build cache
            if not client.images.prune(filters={"dangling": True}).get("ImagesDeleted"):
                break
        show("cold", grade_once(solution))
    warm = [grade_once(solution) for _ in range(args.runs)]
    for i, t in enumerate(warm, 1):
        show(f"warm{i}", t)
    print(f"median warm: {statistics.median(t['wall'] for t in warm):.1f} s per submission "
          f"({args.solution}, {args.runs} runs)")


if __name__ == "__main__":
    main()
