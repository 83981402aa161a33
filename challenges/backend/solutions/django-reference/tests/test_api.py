from django.test import Client


def auth(client: Client, name: str) -> dict[str, str]:
    client.post("/auth/register", {"username": name, "password": "password123"},
                content_type="application/json")
    r = client.post("/auth/token", {"username": name, "password": "password123"},
                    content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['access_token']}"}


def test_crud_and_ownership() -> None:
    client = Client()
    a, b = auth(client, "alice"), auth(client, "bob")
    note = client.post("/notes", {"title": "t", "body": "b"}, content_type="application/json",
                       **a).json()
    assert client.get(f"/notes/{note['id']}", **a).status_code == 200
    assert client.get(f"/notes/{note['id']}", **b).status_code == 404
    assert client.delete(f"/notes/{note['id']}", **a).status_code == 204


def test_requires_token_and_validates() -> None:
    client = Client()
    assert client.get("/notes").status_code == 401
    a = auth(client, "carol")
    assert client.post("/notes", {"title": ""}, content_type="application/json",
                       **a).status_code == 422
    assert client.get("/notes?limit=0", **a).status_code == 422
