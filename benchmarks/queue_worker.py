"""A `grader worker` for the queue's benchmarks: the real verb (grader.cli.main, `grader worker
--name NAME --concurrency N`), with two changes a benchmark on a shared machine needs:

--fake      the grading is benchmarks/queue_services.fake_grade_job (the store path without
            Docker), through the seam `grader.jobs.runner.grade_job`; such a worker makes no
            container, so its start-up cleanup of dead workers' containers is skipped;
--prefix P  otherwise (real gradings) the start-up cleanup looks only at containers labelled
            with a worker name starting with P, so a benchmark never removes the containers
            of another deployment's or test's workers on the same engine (a worker judges
            "dead" by its own broker and store, and those are this benchmark's alone).

    GRADER_BROKER_URL=... GRADER_DATABASE_URL=... python benchmarks/queue_worker.py \\
        --name bench-1 --prefix bench [--fake] [--concurrency 1]

Started by benchmarks/queue_services.Workers; not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--fake", action="store_true")
    args = parser.parse_args()

    from grader.db.connection import ensure_django

    ensure_django()     # grader.jobs.runner imports the models
    import grader.jobs.cleanup as cleanup
    import grader.jobs.runner as runner

    if args.fake:
        from benchmarks.queue_services import fake_grade_job

        runner.grade_job = fake_grade_job  # type: ignore[assignment]

        def nothing_to_remove(*_: Any, **__: Any) -> dict[str, Any]:
            return {}

        cleanup.remove_dead = nothing_to_remove  # type: ignore[assignment]
    else:
        everyone = cleanup.labelled_workers

        def only_ours(client: Any) -> Counter[str]:
            return Counter({name: n for name, n in everyone(client).items()
                            if name.startswith(args.prefix)})

        cleanup.labelled_workers = only_ours  # type: ignore[assignment]

    from grader.cli import main as grader_main

    sys.argv = ["grader", "worker", "--name", args.name, "--concurrency",
                str(args.concurrency), "--loglevel", "WARNING"]
    grader_main()


if __name__ == "__main__":
    main()
