import io
import json
from contextlib import redirect_stdout
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.utils import timezone

import seed_demo
from notes.models import ApiToken, Note

# The real hasher is deliberately slow; tests don't need that.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


class ApiTestCase(TestCase):
    def post_json(self, path: str, data: Any, token: str | None = None, method: str = "post"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        send = getattr(self.client, method)
        return send(path, data=json.dumps(data), content_type="application/json",
                    headers=headers)

    def get_auth(self, path: str, token: str):
        return self.client.get(path, headers={"Authorization": f"Bearer {token}"})

    def make_user(self, username: str, password: str = "pass-word-123") -> str:
        self.assertEqual(self.post_json("/auth/register",
                                        {"username": username, "password": password}).status_code,
                         201)
        response = self.post_json("/auth/token", {"username": username, "password": password})
        self.assertEqual(response.status_code, 200)
        return response.json()["access_token"]


@FAST_HASHER
class AuthTests(ApiTestCase):
    def test_register_validates_and_rejects_duplicates(self) -> None:
        self.assertEqual(self.post_json("/auth/register", {"username": "no", "password": "long enough"}).status_code, 400)
        self.assertEqual(self.post_json("/auth/register", {"username": "rafael", "password": "short"}).status_code, 400)
        self.make_user("rafael")
        self.assertEqual(self.post_json("/auth/register", {"username": "rafael", "password": "pass-word-123"}).status_code, 409)
        self.assertFalse(User.objects.get(username="rafael").password.startswith("pass-word"))

    def test_wrong_password_and_missing_token(self) -> None:
        self.make_user("maria")
        self.assertEqual(self.post_json("/auth/token", {"username": "maria", "password": "nope nope"}).status_code, 401)
        self.assertEqual(self.client.get("/notes").status_code, 401)
        self.assertEqual(self.get_auth("/notes", "not-a-token").status_code, 401)

    def test_expired_token_is_rejected(self) -> None:
        token = self.make_user("joao")
        self.assertEqual(self.get_auth("/notes", token).status_code, 200)
        ApiToken.objects.filter(key=token).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.get_auth("/notes", token).status_code, 401)


@FAST_HASHER
class NoteTests(ApiTestCase):
    def setUp(self) -> None:
        self.token = self.make_user("owner")
        self.other = self.make_user("intruder")

    def test_crud(self) -> None:
        created = self.post_json("/notes", {"title": "Café", "body": "☕"}, self.token)
        self.assertEqual(created.status_code, 201)
        note_id = created.json()["id"]
        updated = self.post_json(f"/notes/{note_id}", {"title": "Chá", "body": ""}, self.token,
                                 method="put")
        self.assertEqual(updated.json()["title"], "Chá")
        deleted = self.client.delete(f"/notes/{note_id}",
                                     headers={"Authorization": f"Bearer {self.token}"})
        self.assertEqual(deleted.status_code, 204)
        self.assertFalse(Note.objects.filter(id=note_id).exists())

    def test_other_users_cannot_see_or_change_notes(self) -> None:
        note_id = self.post_json("/notes", {"title": "private"}, self.token).json()["id"]
        self.assertEqual(self.get_auth(f"/notes/{note_id}", self.other).status_code, 404)
        self.assertEqual(self.post_json(f"/notes/{note_id}", {"title": "mine now"}, self.other, method="put").status_code, 404)
        self.assertEqual(Note.objects.get(id=note_id).title, "private")
        self.assertEqual(self.get_auth("/notes", self.other).json()["total"], 0)

    def test_pagination(self) -> None:
        for i in range(5):
            self.post_json("/notes", {"title": f"note {i}"}, self.token)
        page = self.get_auth("/notes?limit=2&offset=2", self.token).json()
        self.assertEqual(page["total"], 5)
        self.assertEqual([n["title"] for n in page["items"]], ["note 2", "note 3"])
        for bad in ("limit=0", "limit=101", "offset=-1", "limit=ten"):
            self.assertEqual(self.get_auth(f"/notes?{bad}", self.token).status_code, 400, bad)

    def test_bad_bodies(self) -> None:
        for body in ({}, {"title": ""}, {"title": 1}, {"title": "t", "body": None}, ["x"]):
            self.assertEqual(self.post_json("/notes", body, self.token).status_code, 400, body)
        response = self.client.post("/notes", data="{broken", content_type="application/json",
                                    headers={"Authorization": f"Bearer {self.token}"})
        self.assertEqual(response.status_code, 400)


@FAST_HASHER
class SeedDemoTests(TestCase):
    def test_seed_script_creates_user_and_notes(self) -> None:
        with redirect_stdout(io.StringIO()) as out:
            code = seed_demo.main(["--username=demo_rafa", "--notes=6"])
        self.assertEqual(code, 0)
        self.assertIn("6 note(s) added", out.getvalue())
        user = User.objects.get(username="demo_rafa")
        self.assertTrue(user.check_password("demo-password"))
        self.assertEqual(Note.objects.filter(owner=user).count(), 6)
