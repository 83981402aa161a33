"""Prints what the sandbox costs: one hardened container run of a trivial command versus the
same command run natively (median of N), and a cold versus warm (cached) image build.

On Linux it also prints the machine's busy CPU-seconds per run (all processes: the engine,
containerd, the kernel's work for namespaces and mounts, the container itself), for the
hardened run, a plain container run of the same image (no hardening, no work volume) and the
work volume's holder alone (grader/sandbox/workdir.py). On a machine where a test suite of
real container runs is CPU-bound, these are the figures that bound it.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 10]

Figures only; no test asserts a time. Needs a Docker engine and a base image (see README).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from grader.sandbox import workdir
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


def busy_cpu_seconds() -> float | None:
    """Seconds all CPUs spent busy since boot (user, nice, system, irq, softirq), or None
    where /proc/stat does not exist."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / 100  # USER_HZ, 100 on Linux


def cpu_per_call(fn, runs: int) -> float | None:
    before = busy_cpu_seconds()
    for _ in range(runs):
        fn()
    after = busy_cpu_seconds()
    return None if before is None or after is None else (after - before) / runs


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

        def plain() -> None:
            container = client.containers.run(base.tag, COMMAND, detach=True,
                                              network_mode="none")
            container.wait()
            container.remove(force=True)

        def holder() -> None:
            workdir.create(client, image=base.tag, session=box.session, name_hint="bench",
                           size_mb=16, target="/work").remove(client)

        sandboxed()  # first run warms the engine's caches
        native_s = median_seconds(native, args.runs)
        sandbox_s = median_seconds(sandboxed, args.runs)
        cpu = {name: cpu_per_call(fn, args.runs) for name, fn in
               (("hardened container run", sandboxed), ("plain container run", plain),
                ("work volume + holder", holder))}

        # The wordfreq runtime with a build arg of its own after FROM: every RUN after it
        # misses the engine's build cache, so the cold build really installs pytest.
        dockerfile = (ROOT / "tests" / "challenges" / "wordfreq" / "image" / "Dockerfile")
        text = dockerfile.read_text().replace("FROM ${BASE_IMAGE}\n",
                                              "FROM ${BASE_IMAGE}\nARG BENCH_NONCE\n")
        with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
            (Path(tmp) / "Dockerfile").write_text(text)
            spec = BuildSpec(name="bench-cold", dockerfile=Path(tmp) / "Dockerfile",
                             context=Path(tmp), build_args={"BENCH_NONCE": uuid.uuid4().hex})
            cold = box.ensure_image(spec)
            warm = box.ensure_image(spec)
        client.images.remove(cold.tag, force=True)

    print(f"engine: Docker {client.version().get('Version')}, base image "
          f"{settings.base_image}, python {sys.version.split()[0]}")
    print(f"trivial command, median of {args.runs}:")
    print(f"  native                  {native_s * 1000:8.1f} ms")
    print(f"  hardened container run  {sandbox_s * 1000:8.1f} ms  "
          f"(overhead {sandbox_s - native_s:.2f} s, x{sandbox_s / native_s:.0f})")
    if all(v is not None for v in cpu.values()):
        print(f"busy CPU-seconds per call, whole machine, mean of {args.runs}:")
        for name, seconds in cpu.items():
            print(f"  {name:<23} {seconds:8.2f} s")
    print("image build (wordfreq runtime: base layer + pip install pytest):")
    print(f"  cold                    {cold.seconds:8.2f} s  (built: {cold.built})")
    print(f"  warm (content hash hit) {warm.seconds:8.3f} s  (built: {warm.built})")


if __name__ == "__main__":
    main()
