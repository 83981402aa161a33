"""WSGI config for the notekeeper project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notekeeper.settings")

application = get_wsgi_application()
