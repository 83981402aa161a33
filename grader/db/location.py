"""Where the store lives, read from the environment in one place (no Django needed).

GRADER_STORE         the SQLite file (default `${XDG_DATA_HOME:-~/.local/share}/grader/
                     grader.db`); `off` turns the command line's store off
GRADER_DATABASE_URL  a database URL (`postgres://user:pass@host:5432/name`, or
                     `sqlite:////abs/path.db`): the store is that database instead of the file
GRADER_SECRET_KEY    the web service's signing key; without it, one is generated once into
                     `secret_key` (mode 0600) in the store's folder
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

_OFF = ("off", "none", "0")


def data_dir() -> Path:
    """grader's folder for what it keeps on this machine."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "grader"


def store_is_off() -> bool:
    return os.environ.get("GRADER_STORE", "").strip().lower() in _OFF


def default_store_path() -> Path | None:
    """The SQLite file of the store; None when GRADER_STORE=off."""
    value = os.environ.get("GRADER_STORE", "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        return Path(value)
    return data_dir() / "grader.db"


def database_url() -> str | None:
    """GRADER_DATABASE_URL, when set: the store is that database."""
    value = os.environ.get("GRADER_DATABASE_URL", "").strip()
    return value or None


def store_folder() -> Path:
    """The folder of the store's file (or grader's data folder for a database server): the
    secret key file lives here."""
    path = default_store_path()
    return path.parent if path is not None else data_dir()


def secret_key(folder: Path | None = None) -> str:
    """GRADER_SECRET_KEY, else the key in `<folder>/secret_key`, generated once (0600; two
    processes starting together agree on one: the file is linked into place, never
    overwritten)."""
    value = os.environ.get("GRADER_SECRET_KEY", "").strip()
    if value:
        return value
    folder = folder or store_folder()
    path = folder / "secret_key"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(tmp, path)      # fails when another process was first: theirs is kept
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < 32:
        raise OSError(f"{path} holds no usable key (under 32 characters): remove it, and a "
                      "new one is generated")
    return key
