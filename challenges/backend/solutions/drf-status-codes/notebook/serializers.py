from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from rest_framework import serializers

from notebook.models import Note

User = get_user_model()


class StrictCharField(serializers.CharField):
    """DRF's CharField happily turns 123 into "123"; we want a type error instead."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RegisterSerializer(serializers.Serializer):
    username = StrictCharField(
        max_length=32,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_]{3,32}$", "3-32 letters, digits or underscores.")
        ],
    )
    password = StrictCharField(min_length=8, max_length=128, write_only=True,
                               trim_whitespace=False)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(trim_whitespace=False)
    password = StrictCharField(trim_whitespace=False)
    expires_in = serializers.IntegerField(
        min_value=1, max_value=settings.TOKEN_MAX_LIFETIME, default=settings.TOKEN_DEFAULT_LIFETIME
    )


class NoteSerializer(serializers.ModelSerializer):
    title = StrictCharField(max_length=200, trim_whitespace=False)
    body = StrictCharField(max_length=10_000, allow_blank=True, default="",
                           trim_whitespace=False)

    class Meta:
        model = Note
        fields = ["id", "title", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
