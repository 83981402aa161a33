"""Reviewer accounts (Django's auth users): `grader users add NAME [--admin]`. The password
is checked by the settings' validators (length, common passwords, similarity to the name)
and hashed by Django (PBKDF2 by default); an admin is staff and superuser (the admin pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError


class UserRefused(ValueError):
    """The account cannot be created as asked (the message says why, in plain words)."""


@dataclass(frozen=True)
class UserInfo:
    name: str
    admin: bool
    active: bool
    last_login: str


def add_user(name: str, password: str, admin: bool = False, email: str = "") -> UserInfo:
    users = get_user_model()
    name = name.strip()
    if not name:
        raise UserRefused("a user name is needed")
    if users.objects.filter(username=name).exists():
        raise UserRefused(f"a user named {name!r} exists already")
    candidate = users(username=name, email=email)
    try:
        users.username_validator(name)
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise UserRefused(" ".join(exc.messages)) from None
    if admin:
        user = users.objects.create_superuser(username=name, email=email, password=password)
    else:
        user = users.objects.create_user(username=name, email=email, password=password)
    return UserInfo(user.get_username(), admin, True, "")


def list_users() -> list[UserInfo]:
    users = get_user_model()
    return [UserInfo(u.get_username(), bool(u.is_superuser), bool(u.is_active),
                     f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "never")
            for u in users.objects.order_by("username")]
