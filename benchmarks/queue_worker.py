"""A `grader worker` for the queue's benchmarks: the real verb (grader.cli.main, `grader worker
--name NAME --concurrency N`), unchanged but for one thing with --fake: the grading is
benchmarks/queue_services.fake_grade_job (the store path without Docker), put in through the
seam `grader.jobs.runner.grade_job` (WorkerRuntime.run looks it up at each job).

    GRADER_BROKER_URL=... GRADER_DATABASE_URL=... python benchmarks/queue_worker.py \\
        --name bench-1 [--fake] [--concurrency 1]

Its start-up cleanup touches only its own deployment's leftovers (the worker label is
`<node>/<digest of the broker and the store>`, grader/jobs/cleanup.py), so benchmarks run
beside other queues on one engine without disturbing them. Started by
benchmarks/queue_services.Workers; not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--fake", action="store_true")
    args = parser.parse_args()

    if args.fake:
        from grader.db.connection import ensure_django

        ensure_django()     # grader.jobs.runner imports the models
        import grader.jobs.runner as runner
        from benchmarks.queue_services import fake_grade_job

        runner.grade_job = fake_grade_job  # type: ignore[assignment]

    from grader.cli import main as grader_main

    sys.argv = ["grader", "worker", "--name", args.name, "--concurrency",
                str(args.concurrency), "--loglevel", "WARNING"]
    grader_main()


if __name__ == "__main__":
    main()
