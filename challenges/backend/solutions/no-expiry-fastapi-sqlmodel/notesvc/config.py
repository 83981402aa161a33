"""Runtime settings, read once from the environment."""

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("DATA_DIR", "./data"))
DATABASE_URL = f"sqlite:///{DATA_DIR / 'notes.db'}"

DEFAULT_TOKEN_LIFETIME = 3600  # seconds
MAX_TOKEN_LIFETIME = 86_400

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
SQLITE_MAX_INT = 2**63 - 1
