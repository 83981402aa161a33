import os
import secrets
from functools import lru_cache
from pathlib import Path


class Settings:
    def __init__(self) -> None:
        self.data_dir = Path(os.getenv("DATA_DIR", "data"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'notes.db'}"
        self.jwt_secret = os.getenv("JWT_SECRET") or self._load_or_create_secret()
        self.jwt_algorithm = "HS256"

    def _load_or_create_secret(self) -> str:
        """Keep the signing key next to the database so tokens survive a restart."""
        path = self.data_dir / ".jwt_secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
