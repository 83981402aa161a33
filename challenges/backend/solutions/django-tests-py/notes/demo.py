"""Demo data for trying the API by hand (used by seed_demo.py)."""

from django.contrib.auth.models import User
from django.db import transaction

from notes.models import Note

SAMPLE_NOTES = [
    ("Welcome", "This note was created by seed_demo.py."),
    ("Groceries", "milk, eggs, coffee"),
    ("Reading list", "Designing Data-Intensive Applications"),
    ("Ideas", "rate limiting; refresh tokens"),
]


@transaction.atomic
def seed(username: str, password: str, count: int) -> tuple[User, int]:
    """Create (or reuse) `username` and give it `count` sample notes. Returns the user and
    the number of notes created."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    for i in range(count):
        title, body = SAMPLE_NOTES[i % len(SAMPLE_NOTES)]
        if i >= len(SAMPLE_NOTES):
            title = f"{title} #{i // len(SAMPLE_NOTES) + 1}"
        Note.objects.create(owner=user, title=title, body=body)
    return user, count
