import json

from django.test import TestCase


class ApiTests(TestCase):
    def call(self, method, path, body=None, token=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return getattr(self.client, method)(path, data=json.dumps(body) if body is not None
                                            else None, content_type="application/json",
                                            **headers)

    def login(self, username="ada_l", password="analytical"):
        self.call("post", "/auth/register", {"username": username, "password": password})
        r = self.call("post", "/auth/token", {"username": username, "password": password})
        self.assertEqual(r.status_code, 200)
        return r.json()["access_token"]

    def test_register_conflict(self):
        self.login()
        r = self.call("post", "/auth/register", {"username": "ada_l", "password": "analytical"})
        self.assertEqual(r.status_code, 409)

    def test_wrong_password(self):
        self.login()
        r = self.call("post", "/auth/token", {"username": "ada_l", "password": "wrong one"})
        self.assertEqual(r.status_code, 401)

    def test_crud(self):
        token = self.login()
        note = self.call("post", "/notes", {"title": "a", "body": "b"}, token).json()
        self.assertEqual(self.call("get", f"/notes/{note['id']}", token=token).json()["title"],
                         "a")
        r = self.call("put", f"/notes/{note['id']}", {"title": "c"}, token)
        self.assertEqual(r.json()["title"], "c")
        self.assertEqual(self.call("delete", f"/notes/{note['id']}", token=token).status_code,
                         204)
        self.assertEqual(self.call("get", f"/notes/{note['id']}", token=token).status_code, 404)

    def test_isolation(self):
        ada = self.login()
        bob = self.login("bob_b")
        note = self.call("post", "/notes", {"title": "private"}, ada).json()
        self.assertEqual(self.call("get", f"/notes/{note['id']}", token=bob).status_code, 404)
        self.assertEqual(self.call("get", "/notes", token=bob).json()["total"], 0)

    def test_requires_token(self):
        self.assertEqual(self.call("get", "/notes").status_code, 401)

    def test_validation(self):
        token = self.login()
        for body in ({}, {"title": ""}, {"title": 3}, {"title": "x" * 201}):
            self.assertEqual(self.call("post", "/notes", body, token).status_code, 422)
        self.assertEqual(self.call("get", "/notes?limit=500", token=token).status_code, 422)

    def test_pagination(self):
        token = self.login()
        for i in range(4):
            self.call("post", "/notes", {"title": f"n{i}"}, token)
        page = self.call("get", "/notes?limit=3&offset=3", token=token).json()
        self.assertEqual((page["total"], len(page["items"])), (4, 1))
