import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("DATA_DIR", "data"))


class Config:
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{(DATA_DIR / 'notes.db').resolve()}"
    SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
    MAX_CONTENT_LENGTH = 1024 * 1024          # bigger bodies get 413
    RESTX_MASK_SWAGGER = False
    RESTX_ERROR_404_HELP = False              # no "did you mean" hints in 404 bodies
    PROPAGATE_EXCEPTIONS = False


DATA_DIR.mkdir(parents=True, exist_ok=True)
