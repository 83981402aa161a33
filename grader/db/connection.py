"""Django for the store: set up once per process, one database alias per store, each migrated
(and a store from before the ORM imported) once per process, under a lock other processes
honour too.

The web service's `default` database is the configured store (grader/web/settings.py). A
`Store` for another SQLite file or URL (each test has its own; `grader migrate --database`)
gets an alias of its own, registered here at run time, so one process can hold several.
SQLite runs in WAL mode with IMMEDIATE transactions and a 30 s busy timeout: the web service,
its workers and a `grader run --jobs` in another terminal write the same file safely.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grader.db.location import database_url, default_store_path, store_folder

SETTINGS_MODULE = "grader.web.settings"
_LOCK = threading.RLock()
_MIGRATED: set[str] = set()
_PG_MIGRATE_LOCK = 0x67726164  # pg_advisory_lock key: "grad"


def sqlite_config(path: Path) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}


def url_config(url: str) -> dict[str, Any]:
    """A database URL as Django settings (a sqlite:// URL gets the SQLite options above)."""
    import dj_database_url

    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60,
                                                        conn_health_checks=True))
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        return sqlite_config(Path(config["NAME"]))
    return config


def configured_database() -> dict[str, Any]:
    """The store the environment names: GRADER_DATABASE_URL, else the GRADER_STORE file (its
    default path when GRADER_STORE=off: the web service always has a store)."""
    url = database_url()
    if url:
        return url_config(url)
    path = default_store_path() or store_folder() / "grader.db"
    return sqlite_config(path)


def ensure_django() -> None:
    """Configure Django (grader's settings unless DJANGO_SETTINGS_MODULE says otherwise) and
    load its apps, once."""
    import django
    from django.apps import apps

    if apps.ready:
        return
    with _LOCK:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
        if not apps.ready:
            django.setup()


def _same_database(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT", "USER")
    if a.get("ENGINE") == b.get("ENGINE") == "django.db.backends.sqlite3":
        return os.path.realpath(str(a.get("NAME"))) == os.path.realpath(str(b.get("NAME")))
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


def alias_for(config: dict[str, Any]) -> str:
    """The connection alias of a database: `default` when it is the configured one, else one
    registered now (stable for the same database within the process)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    ensure_django()
    if _same_database(config, connections.settings[DEFAULT_DB_ALIAS]):
        return DEFAULT_DB_ALIAS
    ident = "|".join(str(config.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "USER"))
    name = str(config.get("NAME") or "")
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        name = os.path.realpath(name)
    alias = "store-" + hashlib.sha256(f"{ident}|{name}".encode()).hexdigest()[:16]
    with _LOCK:
        if alias not in connections.settings:
            filled = connections.configure_settings(
                {DEFAULT_DB_ALIAS: dict(connections.settings[DEFAULT_DB_ALIAS]),
                 alias: dict(config)})[alias]
            connections.settings[alias] = filled
    return alias


@contextlib.contextmanager
def _migration_lock(alias: str) -> Iterator[None]:
    """Held while one process migrates: a lock file beside a SQLite database, an advisory lock
    on a server."""
    from django.db import connections

    connection = connections[alias]
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_PG_MIGRATE_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_MIGRATE_LOCK])
        return
    yield


def pending_migrations(alias: str) -> list[str]:
    """The migrations not applied yet to a database (app.name)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def migrate(alias: str, force: bool = False) -> list[str]:
    """Apply what is pending (once per process unless `force`), then import a legacy store in
    the same SQLite file if there is one (grader/db/legacy.py). Returns what was applied."""
    from django.core.management import call_command

    ensure_django()
    if alias in _MIGRATED and not force:
        return []
    with _LOCK, _migration_lock(alias):
        pending = pending_migrations(alias)
        if pending:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
        from grader.db.legacy import import_beside

        import_beside(alias)
        _MIGRATED.add(alias)
    return pending


def open_database(config: dict[str, Any]) -> str:
    """The alias of a database, migrated: what a Store stands on."""
    alias = alias_for(config)
    migrate(alias)
    return alias
