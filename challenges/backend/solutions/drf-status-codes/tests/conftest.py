import os
import tempfile
import uuid

import pytest

os.environ["DJANGO_SETTINGS_MODULE"] = "notekeeper.settings_test"
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="notekeeper-tests-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

call_command("migrate", verbosity=0)


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client():
    """Factory: a fresh user and an APIClient that sends their bearer token."""

    def make() -> APIClient:
        username = f"user_{uuid.uuid4().hex[:8]}"
        anon = APIClient()
        anon.post("/auth/register", {"username": username, "password": "password123"},
                  format="json")
        token = anon.post("/auth/token", {"username": username, "password": "password123"},
                          format="json").json()["access_token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make
