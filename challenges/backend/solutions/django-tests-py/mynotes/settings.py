"""Django settings for mynotes.

The SQLite database lives in $DATA_DIR (./data when unset). Set DJANGO_SECRET_KEY in
production; without it a random key is generated per process, which is fine here because
nothing is signed across requests (auth is by database-backed bearer tokens).
"""

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR") or BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or get_random_secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
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

ROOT_URLCONF = "mynotes.urls"
WSGI_APPLICATION = "mynotes.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "mynotes.sqlite3",
        "OPTIONS": {"timeout": 20},
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Bodies above 1 MB are refused (the views turn Django's error into a 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576

NOTES_TOKEN_TTL_DEFAULT = 3600
NOTES_TOKEN_TTL_MAX = 86_400
NOTES_PAGE_SIZE = 20
NOTES_PAGE_SIZE_MAX = 100
