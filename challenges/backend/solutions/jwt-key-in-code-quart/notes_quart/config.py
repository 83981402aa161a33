"""Settings, read from the environment with development defaults."""

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("DATA_DIR", "data"))
DATABASE = DATA_DIR / "notes.sqlite3"

# JWT settings. Override JWT_SECRET in production.
JWT_SECRET = os.environ.get("JWT_SECRET", "notes-quart-dev-secret-2f9c1e")
JWT_ALGORITHM = "HS256"
DEFAULT_TOKEN_SECONDS = 3600
MAX_TOKEN_SECONDS = 86400

MAX_TITLE = 200
MAX_BODY = 10_000
