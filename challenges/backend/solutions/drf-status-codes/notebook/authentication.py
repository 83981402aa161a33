from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from notebook.models import AccessToken


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` against our AccessToken table."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AccessToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None  # some other scheme (or none): let the permission check decide
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid Authorization header.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None

        try:
            token = AccessToken.objects.select_related("user").get(key=key)
        except AccessToken.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if token.is_expired:
            raise AuthenticationFailed("Token has expired.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token
