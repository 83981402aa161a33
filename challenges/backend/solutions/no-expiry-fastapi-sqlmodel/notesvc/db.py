"""Engine and session handling for the SQLite database."""

from collections.abc import Iterator

from sqlmodel import Session, SQLModel, create_engine

from notesvc import config

engine = create_engine(
    config.DATABASE_URL,
    connect_args={"check_same_thread": False, "timeout": 30},
)


def init_db() -> None:
    """Create the data folder and the tables (idempotent)."""
    config.DATA_DIR.mkdir(parents=True, exist_ok=True)
    SQLModel.metadata.create_all(engine)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session
