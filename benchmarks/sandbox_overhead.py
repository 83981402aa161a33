"""Prints what the sandbox costs: one hardened container run of a trivial command versus the
same command run natively (median of N), and a cold versus warm (cached) image build.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 10]

Figures only; no test asserts a time. Needs a Docker engine and a base image (see README).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from grader.sandbox.client import connect
from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.engine import BuildSpec, RunSpec
from grader.sandbox.limits import Limits
from grader.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["python3", "-c", "print(sum(range(1000)))"]


def median_seconds(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    client = connect()
    settings = Settings.from_env()
    with DockerSandbox(client, settings) as box:
        base = box.base_layer()
        limits = Limits(timeout_seconds=60)

        def native() -> None:
            subprocess.run(COMMAND, check=True, capture_output=True)

        def sandboxed() -> None:
            result = box.run(RunSpec(image=base.tag, command=COMMAND, limits=limits))
            assert result.ok, result.stderr.text()

        sandboxed()  # first run warms the engine's caches
        native_s = median_seconds(native, args.runs)
        sandbox_s = median_seconds(sandboxed, args.runs)

        challenge_image = ROOT / "tests" / "challenges" / "wordfreq" / "image"
        spec = BuildSpec(name="bench-cold", dockerfile=challenge_image / "Dockerfile",
                         context=challenge_image,
                         extra_files={"nonce": uuid.uuid4().hex.encode()})
        cold = box.ensure_image(spec)
        warm = box.ensure_image(spec)
        client.images.remove(cold.tag, force=True)

    print(f"engine: Docker {client.version().get('Version')}, base image "
          f"{settings.base_image}, python {sys.version.split()[0]}")
    print(f"trivial command, median of {args.runs}:")
    print(f"  native                  {native_s * 1000:8.1f} ms")
    print(f"  hardened container run  {sandbox_s * 1000:8.1f} ms  "
          f"(overhead {sandbox_s - native_s:.2f} s, x{sandbox_s / native_s:.0f})")
    print("image build (wordfreq runtime: base layer + pip install pytest):")
    print(f"  cold                    {cold.seconds:8.2f} s  (built: {cold.built})")
    print(f"  warm (content hash hit) {warm.seconds:8.3f} s  (built: {warm.built})")


if __name__ == "__main__":
    main()
