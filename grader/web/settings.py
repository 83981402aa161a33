"""Django settings of grader, all from the environment (docs/service.md lists them):

GRADER_DATABASE_URL    the store on a database server (PostgreSQL); default the SQLite file
GRADER_STORE           the SQLite file (grader/db/location.py)
GRADER_SECRET_KEY      the signing key; default one generated once into `secret_key` (0600)
                       in the store's folder
GRADER_ALLOWED_HOSTS   comma-separated host names the service answers to (default localhost,
                       127.0.0.1, [::1])
GRADER_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://grader.example.com) when the
                       service is behind a proxy on another origin
GRADER_SECURE_COOKIES  1 behind HTTPS: session and CSRF cookies marked Secure
GRADER_MAX_REQUEST_MB  the most a request body may hold (default 128; uploads stop earlier,
                       at their challenge's archive cap)
DEBUG is always off: a debug page would show settings and code to whoever made it fail.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.db.connection import configured_database
from grader.db.location import secret_key


def _list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = secret_key()
DEBUG = False
ALLOWED_HOSTS = _list("GRADER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _list("GRADER_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "grader.db.apps.GraderDbConfig",
    "grader.web.apps.GraderWebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "grader.web.urls"
WSGI_APPLICATION = "grader.web.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": configured_database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True      # the admin's CSS from the installed apps: no collectstatic
WHITENOISE_AUTOREFRESH = False

# Uploads: a candidate's zip is read into memory up to this size, then spooled to disk; the
# intake's own caps (grader/intake/limits.py) decide what is accepted.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The most any request body may hold (GRADER_MAX_REQUEST_MB, default 128): waitress refuses a
# larger one before the application sees it, so a 2 GB upload is never buffered; the upload
# page then stops at its challenge's own archive cap while reading (grader/web/upload_cap.py).
GRADER_MAX_REQUEST_BYTES = int(float(os.environ.get("GRADER_MAX_REQUEST_MB", "") or 128)
                               * 1024 * 1024)
CSRF_FAILURE_VIEW = "grader.web.pages.errors.csrf_failure"   # a refused form, in plain words

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("GRADER_SECURE_COOKIES") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # invite tokens are cut to their hint in every record (grader/web/logfilter.py)
    "filters": {"invite_tokens": {"()": "grader.web.logfilter.RedactInviteTokens"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["invite_tokens"]}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING"},
                "django.request": {"filters": ["invite_tokens"]},
                "django.security.csrf": {"filters": ["invite_tokens"]},
                "grader.jobs": {"handlers": ["stderr"], "level": "INFO"},
                "grader.web": {"handlers": ["stderr"], "level": "INFO"}},
}
