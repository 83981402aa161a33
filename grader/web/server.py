"""`grader serve`: the Django application on waitress (a production WSGI server, pure
Python, threads; not Django's runserver), with the embedded job worker pool in the same
process. The store is migrated (and a pre-ORM store imported) before the first request.
Ctrl-C or SIGTERM: the server stops taking requests, gradings in progress are stopped and
their jobs go back to the queue (taken again at the next start).

Behind a reverse proxy (TLS), `GRADER_TRUSTED_PROXY` names the proxy's address (or `*`: any
peer, when only the proxy can reach the port): waitress then takes the client's address from
the proxy's `X-Forwarded-For` and the scheme from `X-Forwarded-Proto`, so the rate limits
count each client rather than the proxy, and the links handed out (an invite's) say
`https://`; those headers from any other peer are dropped."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from grader.errors import EnvironmentProblem

log = logging.getLogger("grader.jobs")


def proxy_options(trusted: str | None = None) -> dict[str, Any]:
    """waitress's options for the reverse proxy named by GRADER_TRUSTED_PROXY (none: {})."""
    trusted = (os.environ.get("GRADER_TRUSTED_PROXY", "") if trusted is None
               else trusted).strip()
    if not trusted:
        return {}
    return {"trusted_proxy": trusted, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "clear_untrusted_proxy_headers": True}


def serve(host: str, port: int, workers: int, threads: int,
          echo: Callable[[str], None]) -> None:
    from grader.db.connection import ensure_django

    ensure_django()         # before anything imports a model
    from waitress.server import create_server

    from grader.jobs.interface import default_queue, is_distributed
    from grader.jobs.pool import EmbeddedPool
    from grader.store import Store, store_errors

    try:
        store = Store(alias="default")     # the configured store (grader/web/settings.py)
    except store_errors() as exc:
        raise EnvironmentProblem(f"the store cannot be opened: {exc}",
                                 fix="check GRADER_STORE / GRADER_DATABASE_URL") from None
    # With a broker (GRADER_BROKER_URL) the `grader worker`s grade: the web host grades
    # nothing itself, whatever --workers says (docs/deploy.md).
    distributed = is_distributed(default_queue(store))
    if distributed:
        workers = 0
    from grader.web.wsgi import application

    pool = EmbeddedPool(store, size=workers).start() if workers else None
    try:
        from django.conf import settings

        # a body over the cap is refused (413) before it is buffered: never stored
        server = create_server(application, host=host, port=port, threads=threads,
                               ident="grader",
                               max_request_body_size=settings.GRADER_MAX_REQUEST_BYTES,
                               **proxy_options())
    except OSError as exc:
        if pool is not None:
            pool.stop()
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc}",
                                 fix="choose another --port, or stop what uses it") from None
    where = f"http://{host if ':' not in host else f'[{host}]'}:{server.effective_port}/"
    grading = f"{workers} grading worker(s)" if workers else "grading by `grader worker`s" \
        if distributed else "no grading worker"
    echo(f"grader: serving on {where} ({grading}, {threads} threads; store {store})")
    try:
        server.run()    # returns once interrupted: waitress swallows the KeyboardInterrupt
    finally:
        server.close()
        if pool is not None:
            echo("grader: stopping the grading workers (jobs in progress go back to the "
                 "queue) ...")
            pool.stop(cancel=True, timeout=120)
    raise KeyboardInterrupt     # the CLI removes what this process started and exits 130
