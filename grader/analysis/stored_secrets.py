"""How a server stored the passwords it was given, read from its data files on the host.

After the hidden suite registered users with passwords the grader knows, the server's work
folder comes back as a tar (never extracted to disk) and each file's bytes are searched,
without opening or executing anything, for a known password in clear (UTF-8 or UTF-16) or as
an unsalted fast hash: hex md5, sha1, sha224, sha256 or sha512 (either case) or base64 of the
raw digest. A salted or slow hash (bcrypt, argon2, PBKDF2 with a salt) matches none of these.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping

_HASHES = ("md5", "sha1", "sha224", "sha256", "sha512")
_MAX_FILE_BYTES = 32 * 1024 * 1024


def _forms(password: str) -> list[tuple[str, bytes]]:
    """(description, bytes to look for) for one password."""
    raw = password.encode()
    forms = [("in clear", raw), ("in clear (UTF-16)", password.encode("utf-16-le"))]
    for name in _HASHES:
        digest = hashlib.new(name, raw)
        hexed = digest.hexdigest()
        forms.append((f"as an unsalted {name} hash", hexed.encode()))
        forms.append((f"as an unsalted {name} hash", hexed.upper().encode()))
        forms.append((f"as an unsalted {name} hash (base64)",
                      base64.b64encode(digest.digest()).rstrip(b"=")))
    return forms


def stored_passwords(files: Mapping[str, bytes], passwords: Iterable[str],
                     skip: Iterable[str] = ()) -> list[dict[str, object]]:
    """Where a known password sits in clear or as an unsalted fast hash: [{file, offset,
    form}], one finding per file and form. `skip`: paths not to search (the submission's own
    source files, which the server did not write)."""
    skipped = set(skip)
    found: list[dict[str, object]] = []
    forms = [form for password in passwords if password for form in _forms(password)]
    for rel, data in sorted(files.items()):
        if rel in skipped or len(data) > _MAX_FILE_BYTES:
            continue
        seen: set[str] = set()
        for description, needle in forms:
            offset = data.find(needle)
            if offset >= 0 and description not in seen:
                seen.add(description)
                found.append({"file": rel, "offset": offset, "form": description})
    return found[:20]
