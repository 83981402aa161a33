"""How a server hashed the passwords it was given, judged by the stored format: read on the
host from the data files the server wrote (bytes searched, nothing opened or run).

Formats are named by their prefixes and layouts, with the work factor read where the format
carries it:

- slow and salted: bcrypt `$2b$COST$` (also inside Django's `bcrypt$`/`bcrypt_sha256$`),
  argon2 `$argon2id$v=19$m=,t=,p=$`, scrypt (werkzeug `scrypt:N:r:p$`, Django `scrypt$N$`,
  passlib `$scrypt$ln=`), PBKDF2 (Django `pbkdf2_sha256$ITER$`, werkzeug
  `pbkdf2:sha256:ITER$`, passlib `$pbkdf2-sha256$ITER$`), SHA-crypt `$5$`/`$6$` (`rounds=`);
- salted but fast: Django's `md5$salt$` and `sha1$salt$`, werkzeug's old `sha256$`/`sha1$`/
  `md5$salt$` methods (an HMAC), LDAP `{SSHA}`, MD5-crypt `$1$`/`$apr1$` and DES `crypt$`
  (a fixed, tiny cost), and a hand-rolled salted hash: a hex md5/sha1/sha256/sha512 digest
  of the password and a salt stored beside it, recognised by recomputing it from a password
  the grader registered.

A slow format whose work factor is under the floor (`FLOORS`: PBKDF2 under 10,000 iterations,
bcrypt under cost 10, scrypt under N=2^14, argon2 under 7 MiB, SHA-crypt under 5,000 rounds) is
weak; above the floor but under today's advice (`ADVISED`, OWASP's: PBKDF2-SHA256 600,000
iterations, scrypt N=2^15, argon2 19 MiB, ...) it passes with a note. Clear text and unsalted
fast hashes (also Django's `unsalted_md5`/`sha1$$`, whose digest is the plain one) are found by
`stored_secrets`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_MAX_FILE_BYTES = 32 * 1024 * 1024
_B64 = rb"[A-Za-z0-9+/=._-]"


@dataclass(frozen=True)
class Found:
    """One stored password hash: its format, family and work factor."""

    scheme: str                 # "bcrypt", "PBKDF2-SHA256 (Django)", "salted MD5 (...)", ...
    family: str                 # "slow", "weak", "fast"
    cost: str                   # "cost 12", "600,000 iterations", "" when none
    file: str
    offset: int
    why: str = ""               # for weak/fast: what is wrong, in plain words
    note: str = ""              # for slow: a work factor under today's advice

    def to_dict(self) -> dict[str, object]:
        return {"scheme": self.scheme, "family": self.family, "cost": self.cost,
                "file": self.file, "offset": self.offset, "why": self.why, "note": self.note}


#: The least work factor a slow hash may have (below: a weak hash), and OWASP's current advice
#: (above the floor but below it: passes, with a note).
FLOORS = {"PBKDF2": 10_000, "bcrypt": 10, "scrypt": 2 ** 14, "argon2": 7 * 1024,
          "SHA-crypt": 5_000}
ADVISED = {"PBKDF2-SHA256": 600_000, "PBKDF2-SHA1": 1_300_000, "PBKDF2-SHA512": 210_000,
           "bcrypt": 10, "scrypt": 2 ** 15, "argon2": 19 * 1024, "SHA-crypt": 535_000}

_SALTED_FAST = [
    ("salted MD5 (Django's MD5PasswordHasher, md5$)", re.compile(
        rb"(?<![_:])md5\$" + _B64 + rb"{1,64}\$[0-9a-f]{32}")),
    ("salted SHA-1 (sha1$)", re.compile(
        rb"(?<![_:])sha1\$" + _B64 + rb"{1,64}\$[0-9a-f]{40}")),
    ("salted HMAC-SHA256 (werkzeug's old sha256$ method)", re.compile(
        rb"(?<![_:])sha256\$" + _B64 + rb"{1,64}\$[0-9a-f]{64}")),
    ("salted SHA-512 (sha512$)", re.compile(
        rb"(?<![_:])sha512\$" + _B64 + rb"{1,64}\$[0-9a-f]{128}")),
    ("salted SHA-1 (LDAP {SSHA})", re.compile(rb"\{SSHA\}[A-Za-z0-9+/]{24,}={0,2}")),
    ("MD5-crypt ($1$, a fixed 1,000 MD5 rounds)", re.compile(
        rb"\$(?:1|apr1)\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}")),
    ("DES crypt (Django's CryptPasswordHasher)", re.compile(
        rb"(?<![_a-z])crypt\$" + _B64 + rb"{0,16}\$[./0-9A-Za-z]{13}")),
]
_BCRYPT = re.compile(rb"\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}")
_ARGON2 = re.compile(rb"\$argon2(id|i|d)\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$")
_SCRYPT = [
    re.compile(rb"scrypt:(\d+):(\d+):(\d+)\$"),                      # werkzeug
    re.compile(rb"scrypt\$(\d+)\$" + _B64 + rb"+\$(\d+)\$(\d+)\$"),  # Django
]
_SCRYPT_LN = re.compile(rb"\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$")  # passlib
_PBKDF2 = [
    (re.compile(rb"pbkdf2_(sha256|sha1)\$(\d+)\$"), "Django's format"),
    (re.compile(rb"pbkdf2:(sha256|sha512|sha1):(\d+)\$"), "werkzeug's format"),
    (re.compile(rb"\$pbkdf2-(sha256|sha512)\$(\d+)\$"), "passlib's format"),
    (re.compile(rb"\$pbkdf2()\$(\d+)\$"), "passlib's format"),
]
_SHA_CRYPT = re.compile(rb"\$([56])\$(?:rounds=(\d+)\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43,86}")
_HEX_RUN = re.compile(rb"[0-9a-f]{32,400}")
_DIGEST_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_SALT_LENGTHS = (8, 12, 16, 22, 24, 32, 44, 64)
_SEPARATORS = (b"$", b":", b"|", b".", b",")
_HEX_SALT = re.compile(rb"[0-9a-fA-F]+")
_TOKEN = re.compile(rb"[A-Za-z0-9+/=_-]{6,64}")
_FAST_WHY = ("a fast hash: a salt makes each password its own attack, but a GPU tries "
             "billions of guesses a second against it")


def _slow(scheme: str, floor_key: str, advised_key: str, value: int, shown: str, file: str,
          offset: int) -> Found:
    """A slow hash with work factor `value`: weak under FLOORS, noted under ADVISED."""
    if value < FLOORS[floor_key]:
        return Found(scheme, "weak", shown, file, offset,
                     f"{shown} is under the least a {floor_key} hash should have "
                     f"({_fmt(FLOORS[floor_key], floor_key)}): cheap to try guesses against")
    advised = ADVISED.get(advised_key, 0)
    note = (f"{shown}: above the floor, under the {_fmt(advised, floor_key)} OWASP advises "
            "today" if value < advised else "")
    return Found(scheme, "slow", shown, file, offset, note=note)


def _fmt(value: int, floor_key: str) -> str:
    if floor_key == "bcrypt":
        return f"cost {value}"
    if floor_key == "scrypt":
        return f"N={value:,}"
    if floor_key == "argon2":
        return f"{value // 1024} MiB"
    if floor_key == "SHA-crypt":
        return f"{value:,} rounds"
    return f"{value:,} iterations"


def _formats(rel: str, data: bytes) -> list[Found]:
    """Every hash of a known format in one file."""
    found: list[Found] = []
    for m in _BCRYPT.finditer(data):
        found.append(_slow("bcrypt", "bcrypt", "bcrypt", int(m[1]), f"cost {int(m[1])}", rel,
                           m.start()))
    for m in _ARGON2.finditer(data):
        memory, passes = int(m[2]), int(m[3])
        found.append(_slow(f"argon2{m[1].decode()}", "argon2", "argon2", memory,
                           f"{memory / 1024:g} MiB, {passes} pass(es)", rel, m.start()))
    for pattern in _SCRYPT:
        for m in pattern.finditer(data):
            n = int(m[1])
            found.append(_slow("scrypt", "scrypt", "scrypt", n, f"N={n:,}", rel, m.start()))
    for m in _SCRYPT_LN.finditer(data):
        n = 2 ** min(int(m[1]), 40)
        found.append(_slow("scrypt", "scrypt", "scrypt", n, f"N={n:,}", rel, m.start()))
    for pattern, origin in _PBKDF2:
        for m in pattern.finditer(data):
            name = f"PBKDF2-{(m[1].decode() or 'sha1').upper()}"
            iterations = int(m[2])
            found.append(_slow(f"{name} ({origin})", "PBKDF2", name, iterations,
                               f"{iterations:,} iterations", rel, m.start()))
    for m in _SHA_CRYPT.finditer(data):
        rounds = int(m[2]) if m[2] else 5_000
        found.append(_slow(f"SHA{'256' if m[1] == b'5' else '512'}-crypt", "SHA-crypt",
                           "SHA-crypt", rounds, f"{rounds:,} rounds", rel, m.start()))
    for scheme, pattern in _SALTED_FAST:
        for m in pattern.finditer(data):
            found.append(Found(scheme, "fast", "", rel, m.start(), _FAST_WHY))
    return found


def _rows(data: bytes, names: list[bytes], reach: int = 200,
          most: int = 3) -> list[tuple[int, int]]:
    """The spans of `data` within `reach` bytes of the first `most` registered usernames
    found (their rows: the password's columns sit beside the username's)."""
    spans: list[tuple[int, int]] = []
    for name in names:
        start = data.find(name)
        if start >= 0:
            spans.append((max(0, start - reach), start + len(name) + reach))
        if len(spans) >= most:
            break
    return spans


def _hand_rolled(rel: str, data: bytes, passwords: list[bytes],
                 names: list[bytes] | None) -> list[Found]:
    """Hex digests that are a fast hash of a known password and a salt stored near them,
    recomputed: salt+password, password+salt, with a colon, or an HMAC either way; the salt as
    stored or hex-decoded. A database row stores its columns side by side (a hex salt, a hex
    digest and a date run together), so with `names` (usernames the grader registered) every
    digest-long stretch of hex in their rows is a candidate and every 8 to 64 bytes of the
    row a salt; without, the ends of the file's first 150 runs of hex, and the bytes and
    words around them."""
    candidates: dict[bytes, int] = {}   # digest -> offset
    salts: set[bytes] = set()
    if names:
        for start, end in _rows(data, names):
            row = data[start:end]
            for run in _HEX_RUN.finditer(row):
                text = run.group()
                for n in _DIGEST_LENGTHS:
                    for i in range(len(text) - n + 1):
                        candidates.setdefault(text[i:i + n], start + run.start() + i)
            for k in _SALT_LENGTHS:
                salts.update(row[i:i + k] for i in range(len(row) - k + 1))
    else:
        for run in list(_HEX_RUN.finditer(data))[:150]:
            _around(data, run, candidates, salts)
    if not candidates:
        return []
    found: list[Found] = []
    for digest, how in _recompute(set(candidates), salts, passwords):
        algorithm = _DIGEST_LENGTHS[len(digest)]
        found.append(Found(f"salted {algorithm.upper()} (hand-rolled: {how})", "fast", "",
                           rel, candidates[digest], _FAST_WHY))
        if len(found) >= 5:
            break
    return found


def _around(data: bytes, run: re.Match[bytes], candidates: dict[bytes, int],
            salts: set[bytes]) -> None:
    """Candidates at either end of a run of hex, salts from the bytes just before and after
    it (past one separator) and from the words of its row."""
    text = run.group()
    for n in _DIGEST_LENGTHS:
        if n > len(text):
            continue
        for start in {0, len(text) - n}:
            at = run.start() + start
            candidates.setdefault(text[start:start + n], at)
            before = data[max(0, at - 65):at]
            before = before[:-1] if before[-1:] in _SEPARATORS else before
            after = data[at + n:at + n + 65]
            after = after[1:] if after[:1] in _SEPARATORS else after
            salts.update(before[-k:] for k in _SALT_LENGTHS if len(before) >= k)
            salts.update(after[:k] for k in _SALT_LENGTHS if len(after) >= k)
            for token in _TOKEN.finditer(data[max(0, at - 200):at + n + 200]):
                word = token.group()  # a word of the row, or its ends (touching columns)
                salts.add(word)
                salts.update(end for k in (16, 22, 24, 32) if len(word) > k
                             for end in (word[:k], word[-k:]))


def _recompute(digests: set[bytes], salts: set[bytes],
               passwords: list[bytes]) -> list[tuple[bytes, str]]:
    """(digest, how it was made) for each of `digests` that a fast hash of a password and
    one of `salts` gives."""
    out: dict[bytes, str] = {}
    lengths = {len(d) for d in digests}
    algorithms = [a for n, a in _DIGEST_LENGTHS.items() if n in lengths]
    for stored in salts:
        variants = [stored]
        if len(stored) % 2 == 0 and _HEX_SALT.fullmatch(stored):
            with contextlib.suppress(ValueError):
                variants.append(bytes.fromhex(stored.decode("ascii")))
        for salt in variants:
            for password in passwords:
                materials = (("salt + password", salt + password),
                             ("password + salt", password + salt),
                             ("salt:password", salt + b":" + password))
                for algorithm in algorithms:
                    for how, material in materials:
                        digest = hashlib.new(algorithm, material).hexdigest().encode()
                        if digest in digests:
                            out.setdefault(digest, how)
                    for how, key, msg in (("HMAC keyed by the salt", salt, password),
                                          ("HMAC keyed by the password", password, salt)):
                        digest = hmac.new(key, msg, algorithm).hexdigest().encode()
                        if digest in digests:
                            out.setdefault(digest, how)
    return list(out.items())


def stored_hashes(files: Mapping[str, bytes], passwords: Iterable[str],
                  skip: Iterable[str] = (), usernames: Iterable[str] | None = None
                  ) -> list[Found]:
    """Every stored password hash found in the server's files, worst family first (fast,
    weak, slow), at most 50. Hand-rolled salted hashes are looked for (with `passwords`, the
    ones the grader registered) only in files that hold no hash of a known format, and with
    `usernames` only in the rows that hold one of them."""
    skipped = set(skip)
    known = [p.encode() for p in passwords if p]
    names = None if usernames is None else [u.encode() for u in usernames if len(u) >= 4]
    found: list[Found] = []
    for rel, data in sorted(files.items()):
        if rel in skipped or len(data) > _MAX_FILE_BYTES:
            continue
        formats = _formats(rel, data)
        found += formats
        if known and not formats:  # a file of known formats holds no hand-rolled ones
            found += _hand_rolled(rel, data, known, names)
    order = {"fast": 0, "weak": 1, "slow": 2}
    return sorted(found, key=lambda f: (order[f.family], f.file, f.offset))[:50]
