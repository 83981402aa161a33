"""Django settings for the Notes API.

Everything deployment-specific comes from the environment: DATA_DIR (where the SQLite file
lives), DJANGO_SECRET_KEY and DJANGO_DEBUG. The API authenticates with bearer tokens stored in
the database, so the secret key only signs things Django itself needs.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "notes",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "notesite.urls"
ASGI_APPLICATION = "notesite.asgi.application"
APPEND_SLASH = False

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "notes.sqlite3",
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# scrypt is built into Django and memory-hard; PBKDF2 stays listed so hashes made with the
# default hasher can still be checked.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True

NINJA_PAGINATION_MAX_LIMIT = 100
