"""Settings for the test suite: the real ones, with a cheap password hasher."""

from notekeeper.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
