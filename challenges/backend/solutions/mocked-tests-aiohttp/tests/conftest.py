"""The handlers are tested in isolation: the repository is a mock with the same interface,
and the token lookup is patched to return a known user, so no database is needed."""

from collections.abc import Iterator
from unittest.mock import AsyncMock, create_autospec, patch

import pytest

from notes_service.app import create_app
from notes_service.models import Note, User
from notes_service.repository import NoteRepository

ALICE = User(id=1, username="alice")
AUTH = {"Authorization": "Bearer test-token"}


def make_note(note_id: int = 1, title: str = "Plan", body: str = "Write tests") -> Note:
    return Note(note_id, title, body, "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00")


@pytest.fixture
def repo() -> NoteRepository:
    return create_autospec(NoteRepository, instance=True)


@pytest.fixture
def signed_in() -> Iterator[User]:
    with patch("notes_service.auth.user_for_token", AsyncMock(return_value=ALICE)):
        yield ALICE


@pytest.fixture
async def client(aiohttp_client, repo, signed_in):  # type: ignore[no-untyped-def]
    return await aiohttp_client(create_app(repository=repo))
