"""Seconds per graded backend submission, warm (images cached) and cold (images rebuilt),
and the share of each stage: image build, server start, hidden tests, candidate tests.

    .venv/bin/python benchmarks/backend_grading.py [--solution NAME ...] [--runs 3] [--cold]

Without --solution, every reference of the three kits is measured (FastAPI, Flask, Django)
and a warm median is printed for each: the target is 15 s or less on a 2-core machine.

--cold removes the backend images first (the base layer stays), so the first run rebuilds
them, as on a fresh machine after the base image exists. Figures only; no test asserts a time.
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
STAGES = ("images", "server_start", "hidden_tests", "own_tests", "static")


def grade_once(solution: Path) -> dict[str, float]:
    challenge = load_challenge(ROOT / "challenges" / "backend")
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
    parser.add_argument("--solution", action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    names = args.solution or ["fastapi-reference", "flask-reference", "django-reference"]
    medians = {}
    for name in names:
        medians[name] = measure(name, args.runs, args.cold)
        args.cold = False  # images are shared: only the first solution can start cold
    for name, median in medians.items():
        print(f"warm median {median:5.1f} s  {name}")


def measure(name: str, runs: int, cold: bool) -> float:
    solution = ROOT / "challenges" / "backend" / "solutions" / name

    if cold:
        client = connect()
        tags = [t for image in client.images.list() for t in image.tags
                if t.startswith("grader/backend-")]
        for tag in sorted(tags, key=lambda t: "deps" not in t):  # children first
            client.images.remove(tag, force=True)
        for _ in range(5):  # untagged leftovers would still serve as the build cache
            if not client.images.prune(filters={"dangling": True}).get("ImagesDeleted"):
                break
        show("cold", grade_once(solution))
    warm = [grade_once(solution) for _ in range(runs)]
    for i, t in enumerate(warm, 1):
        show(f"warm{i}", t)
    median = statistics.median(t["wall"] for t in warm)
    print(f"median warm: {median:.1f} s per submission ({name}, {runs} runs)")
    return median


if __name__ == "__main__":
    main()
