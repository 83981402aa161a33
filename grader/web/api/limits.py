"""Rate limits of the API, on Django's cache (one process: the embedded server's; a fixed
window per key): failed token checks per client address (a guessed token is refused with 429
once too many were wrong, before the next guess is even looked up), and uploads per invite
(a script looping on one invite cannot fill the store). A limit hit answers 429 with
Retry-After."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from grader.web.api.errors import ApiError


@dataclass(frozen=True)
class Limit:
    name: str
    count: int          # at most this many ...
    seconds: int        # ... per window of this many seconds
    said: str           # what was too many, in plain words

    def _key(self, who: str) -> str:
        window = int(time.time() // self.seconds)
        return f"grader-api-limit:{self.name}:{who}:{window}"

    def _retry_after(self) -> str:
        return str(self.seconds - int(time.time()) % self.seconds)

    def used(self, who: str) -> int:
        return int(cache.get(self._key(who), 0))

    def check(self, who: str) -> None:
        """429 when `who` has used the limit up in this window (nothing counted)."""
        if self.used(who) >= self.count:
            raise ApiError(429, "rate-limited",
                           f"too many {self.said}: at most {self.count} per "
                           f"{self.seconds // 60} minutes; try again later",
                           headers={"Retry-After": self._retry_after()})

    def count_one(self, who: str) -> None:
        key = self._key(who)
        cache.add(key, 0, self.seconds + 5)
        try:
            cache.incr(key)
        except ValueError:      # expired between add and incr
            cache.set(key, 1, self.seconds + 5)

    def take(self, who: str) -> None:
        """check, then count this one."""
        self.check(who)
        self.count_one(who)


#: wrong or revoked tokens from one client address
FAILED_AUTH = Limit("auth-failures", 20, 300, "requests with a wrong token from your address")
#: uploads through one invite (accepted or refused)
UPLOADS = Limit("uploads", 30, 3600, "uploads for this invite")


def client_address(meta: dict[str, object]) -> str:
    """The peer's address (behind a proxy: the proxy's; docs/service.md says so)."""
    return str(meta.get("REMOTE_ADDR") or "unknown")
