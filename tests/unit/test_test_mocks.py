"""Tests whose subject is mocked away (grader/analysis/test_mocks.py through
test_quality.hollow_tests and meaningful_check): the data layer or the app replaced by mocks
is named with what replaced it where; a real test database, fault injection and mocked
external services are not; a suite is judged on the share."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.analysis.mock_targets import classify
from grader.analysis.test_quality import hollow_tests, meaningful_check

APP = {
    "app/__init__.py": "",
    "app/db.py": "def get_db():\n    yield None\n",
    "app/storage.py": "def fetch_all(user_id):\n    return []\n",
    "app/security.py": "def get_current_user():\n    return None\n",
    "app/routers/__init__.py": "",
    "app/routers/notes.py": '''
        from app.storage import fetch_all
        from app.security import get_current_user
        ''',
    "app/main.py": "app = object()\n",
}
MOCKED_CONFTEST = '''
    from types import SimpleNamespace
    from unittest.mock import MagicMock

    import pytest
    from fastapi.testclient import TestClient

    from app.db import get_db
    from app.main import app
    from app.security import get_current_user


    @pytest.fixture
    def db():
        session = MagicMock()
        app.dependency_overrides[get_db] = lambda: session
        yield session
        app.dependency_overrides.clear()


    @pytest.fixture
    def user():
        fake = SimpleNamespace(id=1, username="alice")
        app.dependency_overrides[get_current_user] = lambda: fake
        return fake


    @pytest.fixture
    def client(db, user):
        return TestClient(app)
    '''


def graded(root: Path, files: dict[str, str]) -> list[dict[str, object]]:
    for rel, text in {**APP, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return hollow_tests(root, sorted({**APP, **files}))


def test_targets_are_named_by_what_they_stand_for() -> None:
    assert classify("get_db") == classify("app.crud.create_note") == "data layer"
    assert classify("notes.views.Note.objects") == classify("SessionLocal") == "data layer"
    assert classify("app.routers.notes.fetch_all", "app.storage") == "data layer"
    assert classify("deps.get_current_user") == classify("request.user") == "current user"
    # External services, and names that say nothing of a data layer (an ML model, a fetch).
    for other in ("requests.post", "app.mail.send_email", "app.security.time.time",
                  "app.notes.uuid4", "app.storage.httpx.AsyncClient", "serve.app.model",
                  "app.weather.fetch_forecast"):
        assert classify(other) is None, other
    assert classify("app.routers.notes.get_current_user") == "current user"


def test_fixtures_that_mock_the_database_and_the_user_make_every_test_hollow(
        tmp_path: Path) -> None:
    found = graded(tmp_path, {"tests/conftest.py": MOCKED_CONFTEST, "tests/test_notes.py": '''
        def test_create(client, db):
            assert client.post("/notes", json={"title": "t"}).status_code == 201
            db.add.assert_called_once()

        def test_list(client):
            assert client.get("/notes").json() == []
        '''})
    assert [(f["test"], f["why"]) for f in found] == [
        ("test_create", "runs against a mocked data layer (get_db -> lambda: session at "
                        "tests/conftest.py:15; the current user mocked too: get_current_user "
                        "-> lambda: fake at tests/conftest.py:23)"),
        ("test_list", "runs against a mocked data layer (get_db -> lambda: session at "
                      "tests/conftest.py:15; the current user mocked too: get_current_user "
                      "-> lambda: fake at tests/conftest.py:23)")]
    check = meaningful_check(tmp_path, sorted({**APP, "tests/conftest.py": "",
                                               "tests/test_notes.py": ""}))
    assert check.status == "failed"
    assert check.message == (
        "2 test(s) replace what they test with mocks: 2 run against a mocked data layer (get_db "
        "-> lambda: session at tests/conftest.py:15), the current user mocked too "
        "(get_current_user -> lambda: fake at tests/conftest.py:23): test_create at "
        "tests/test_notes.py:1, test_list at tests/test_notes.py:5, so they cannot catch a bug "
        "in what they mock")


def test_a_real_test_database_and_a_real_user_are_not_mocks(tmp_path: Path) -> None:
    """FastAPI's documented pattern: get_db overridden by a session on a test engine, the
    current user by a user row; a test path for SQLite; fault injection; external services."""
    found = graded(tmp_path, {"tests/conftest.py": '''
        import pytest
        from fastapi.testclient import TestClient
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        from app.db import get_db
        from app.main import app
        from app.security import get_current_user

        Testing = sessionmaker(bind=create_engine("sqlite://"))


        def override_get_db():
            session = Testing()
            try:
                yield session
            finally:
                session.close()


        @pytest.fixture(autouse=True)
        def real_db(tmp_path, monkeypatch):
            monkeypatch.setattr("app.db.DB_PATH", str(tmp_path / "t.db"))
            app.dependency_overrides[get_db] = override_get_db
            yield


        @pytest.fixture
        def user(real_db):
            row = Testing().merge(object())
            app.dependency_overrides[get_current_user] = lambda: row
            return row


        @pytest.fixture
        def client():
            return TestClient(app)
        ''', "tests/test_notes.py": '''
        from unittest import mock

        from sqlalchemy.exc import OperationalError

        def test_list(client, user):
            assert client.get("/notes").status_code == 200

        @mock.patch("app.mail.send_email")
        @mock.patch("app.routers.notes.fetch_all", side_effect=OperationalError("x", {}, None))
        def test_database_down_is_503(fetch, send, client, user):
            assert client.get("/notes").status_code == 503

        def test_clock(client, monkeypatch):
            monkeypatch.setattr("app.security.time.time", lambda: 0)
            assert client.get("/health").status_code == 200
        '''})
    assert found == []


def test_patches_in_classes_bodies_and_a_mock_client(tmp_path: Path) -> None:
    """A class decorator patches every method; an AsyncMock in a with block; a client that is
    itself a mock; a name the handler's module imports from a storage module."""
    found = graded(tmp_path, {"tests/test_views.py": '''
        import unittest
        from unittest.mock import AsyncMock, MagicMock, patch


        @patch("notes.views.Note.objects")
        class NoteViews(unittest.TestCase):
            def test_list(self, objects):
                objects.filter.return_value = []
                self.assertEqual(list_view(), [])


        async def test_fetch():
            with patch("app.routers.notes.fetch_all", AsyncMock(return_value=[])) as fetch:
                assert await handler() == []
                fetch.assert_awaited()


        def test_client_is_a_mock():
            client = MagicMock()
            client.get.return_value.status_code = 200
            assert client.get("/notes").status_code == 200


        def test_real(tmp_path):
            assert make_app(tmp_path).get("/notes").status_code == 401


        def test_overrides_as_a_dict(client):
            app.dependency_overrides = {get_db: lambda: MagicMock()}
            assert client.get("/notes").status_code == 200
        '''})
    assert {(f["test"], str(f["why"]).split(" (")[0]) for f in found} == {
        ("test_list", "runs against a mocked data layer"),
        ("test_fetch", "runs against a mocked data layer"),
        ("test_client_is_a_mock", "calls a mocked app"),
        ("test_overrides_as_a_dict", "runs against a mocked data layer")}


def test_a_suite_that_mocks_the_database_in_some_tests_is_judged_on_the_share(
        tmp_path: Path) -> None:
    tests = "\n".join(f"def test_real_{i}(client):\n    assert client.get('/notes')\n"
                      for i in range(3))
    files = {"tests/test_real.py": tests, "tests/test_mocked.py": '''
        from unittest.mock import patch

        @patch("app.crud.list_notes", return_value=[])
        def test_empty_list(crud, client):
            assert client.get("/notes").json() == []
        '''}
    found = graded(tmp_path, files)
    assert [f["test"] for f in found] == ["test_empty_list"]
    check = meaningful_check(tmp_path, sorted({**APP, **files}))
    assert check.status == "passed"
    assert check.message.startswith("every test asserts something, but 1 test(s) replace what "
                                    "they test with mocks: 1 runs against a mocked data layer "
                                    "(app.crud.list_notes -> a MagicMock (patch's default) at "
                                    "tests/test_mocked.py:3): test_empty_list at "
                                    "tests/test_mocked.py:4 and earn nothing")
    assert meaningful_check(tmp_path, sorted({**APP, **files}), share=0.4).status == "failed"


def test_functions_that_name_each_other_do_not_loop(tmp_path: Path) -> None:
    """A fixture bound to another that is bound to the first (and a thousand such tests) is
    read once each."""
    found = graded(tmp_path, {"tests/test_loop.py": "import pytest\n" + "".join(
        f"@pytest.fixture\ndef f{i}(f{(i + 1) % 1000}):\n    x = f{(i + 1) % 1000}\n"
        f"    return x\n\ndef test_{i}(f{i}):\n    assert f{i}\n" for i in range(1000))})
    assert found == []
