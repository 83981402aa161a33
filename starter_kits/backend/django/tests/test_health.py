from django.test import Client


def test_health() -> None:
    assert Client().get("/health").status_code == 200
