"""Seconds to grade the data-science reference notebook versus executing the same notebook
natively with `jupyter nbconvert --execute` on the same data.

    .venv/bin/python benchmarks/notebook_grading.py [--solution reference] [--runs 3]

The grader executes a notebook twice (the kit's data and a hidden variant) in hardened
containers, plus static analysis, judging and the HTML rendering. So two figures are printed:
one sandboxed execution (the `public_run` stage) against one native execution, and the whole
grading against two native executions. The native side runs in a venv made once under
.bench/notebook-venv with the notebook image's packages. Figures only; no test asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.challenge import load_challenge
from grader.pipeline import Grader
from grader.tracks.notebook.track import generate

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench" / "notebook-venv"
PACKAGES = ["pandas>=2.1", "numpy>=1.26", "matplotlib>=3.8", "scipy>=1.11", "nbconvert>=7.16",
            "nbclient>=0.10", "ipykernel>=6.29"]


def native_python() -> Path:
    python = VENV / "bin" / "python"
    if not (VENV / ".ready").exists():
        print(f"creating {VENV} (once) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
        (VENV / ".ready").touch()
    return python


def native_once(python: Path, notebook: Path, data: dict[str, bytes]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        for name, content in data.items():
            (work / "data" / name).write_bytes(content)
        (work / "analysis.ipynb").write_bytes(notebook.read_bytes())
        started = time.perf_counter()
        subprocess.run([str(python), "-m", "jupyter", "nbconvert", "--to", "notebook",
                        "--execute", "--output", "executed.ipynb", "analysis.ipynb"],
                       cwd=work, check=True, capture_output=True,
                       env={"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "HOME": tmp,
                            "MPLCONFIGDIR": f"{tmp}/mpl", "DATA_DIR": "data"})
        return time.perf_counter() - started


def grade_once(solution: Path) -> tuple[float, float, float]:
    challenge = load_challenge(ROOT / "challenges" / "datascience")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        outcome = Grader(out_dir=Path(out), challenge=challenge).grade(solution)
        wall = time.perf_counter() - started
    return wall, float(outcome.report.timings.get("public_run", 0)), float(
        outcome.report.total.percent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solution", default="reference")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    solution = ROOT / "challenges" / "datascience" / "solutions" / args.solution
    challenge = load_challenge(ROOT / "challenges" / "datascience")
    data, _ = generate(challenge.config, challenge.config.data.public_seed)

    python = native_python()
    native_once(python, solution / "analysis.ipynb", data)  # warm the page cache
    native = [native_once(python, solution / "analysis.ipynb", data) for _ in range(args.runs)]
    grade_once(solution)  # images built and cached, as in steady use
    graded = [grade_once(solution) for _ in range(args.runs)]

    n = statistics.median(native)
    wall = statistics.median(g[0] for g in graded)
    one = statistics.median(g[1] for g in graded)
    print(f"native `jupyter nbconvert --execute`: {n:6.2f} s per execution (median of "
          f"{args.runs})")
    print(f"grader, one sandboxed execution:      {one:6.2f} s  overhead "
          f"{100 * (one / n - 1):+.0f}%")
    print(f"grader, whole grading (2 executions): {wall:6.2f} s  vs 2 native executions "
          f"{2 * n:.2f} s: overhead {100 * (wall / (2 * n) - 1):+.0f}%")
    print(f"score {graded[-1][2]}%")


if __name__ == "__main__":
    main()
