"""Sets Django up once for the whole test session (settings, a temporary database)."""

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesproject.settings")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp())

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
