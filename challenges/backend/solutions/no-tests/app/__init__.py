"""Notes API: FastAPI + async SQLAlchemy on SQLite."""
