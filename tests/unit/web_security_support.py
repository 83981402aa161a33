"""Support for the security tests (tests/unit/test_web_security*.py): a world with every
role the authorization matrix names (anonymous, the candidates of invites A and B, the
reviewer who owns the opening and the API token the routes name, another reviewer, an admin),
its rows (a graded submission of A with a report bundle, an upload, a job, a manual score, a
decision: every admin page has an object to show), the routes as Django's URL resolver knows
them, and one request as one role, rolled back afterwards so no cell of the matrix changes
what the next one sees."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.unit.web_pages_support import HOST, PASSWORD, wordfreq_report
from tests.unit.web_pages_support import web as web  # a fixture

ROLES = ("anon", "cand_a", "cand_b", "owner", "other", "admin")
CANARY = "canary.txt"
REVIEWERS = {"owner": "rita", "other": "bob", "admin": "ada"}


@dataclass
class World:
    users: dict[str, Any]           # role -> User (owner, other, admin)
    api_tokens: dict[str, str]      # role -> plain API token (owner, other, admin)
    owner_token_id: int             # the API token the routes name (the owner's)
    opening: Any                    # backend / flask: it has a kit
    invite_a: Any
    invite_b: Any
    token_a: str
    token_b: str
    upload_a: Any
    sub_a: str                      # A's graded submission (report bundle with server.log)
    objects: dict[str, Any]         # admin model name -> an instance the admin pages open

    def invite_token(self, role: str) -> str:
        """The invite token a role holds (a guessed one for the others)."""
        return {"cand_a": self.token_a, "cand_b": self.token_b}.get(
            role, secrets.token_urlsafe(32))

    def bearer(self, role: str) -> str | None:
        """What a role sends in `Authorization: Bearer` to the API."""
        if role == "anon":
            return None
        if role in ("cand_a", "cand_b"):
            return self.invite_token(role)
        return self.api_tokens[role]


def build_world(tmp_path: Path) -> World:
    from django.contrib.auth.models import Group, User

    from grader.db.models import Decision, Job, ManualScore, Opening, Upload
    from grader.report.html import render_html
    from grader.store import Store
    from grader.web.api.tokens import create_token
    from grader.web.invites import create_invite

    users = {"owner": User.objects.create_user("rita", password=PASSWORD),
             "other": User.objects.create_user("bob", password=PASSWORD),
             "admin": User.objects.create_superuser("ada", password=PASSWORD)}
    made_tokens = {role: create_token(user, "ats") for role, user in users.items()}
    opening = Opening.objects.create(title="Backend (mid)", challenge="backend",
                                     framework="flask", created_by=users["owner"])
    a = create_invite(opening, "Grace Hopper", "grace@example.com", by=users["owner"])
    b = create_invite(opening, "Alan Turing", "alan@example.com", by=users["owner"])
    sub_a = "grace-hopper-aaaaaaaaaaaa"
    report = wordfreq_report(sub_a, "Grace Hopper")
    folder = tmp_path / "bundle"
    (folder / "artifacts").mkdir(parents=True)
    (folder / "report.json").write_text(report.to_json())
    (folder / "report.html").write_text(render_html(report, folder))
    (folder / "artifacts" / "server.log").write_text("server started\n")
    Store(alias="default").record(report, folder)
    data = b"PK-not-really-a-zip"
    digest = hashlib.sha256(data).hexdigest()
    upload = Upload.objects.create(invite=a.invite, filename="work.zip", data=data,
                                   size=len(data), sha256=digest, accepted=True,
                                   verdict="accepted", challenge="backend",
                                   submission_id=sub_a)
    job = Job.objects.create(upload=upload, challenge="backend", sha256=digest,
                             idempotency_key=f"{digest}:backend:v1", state="graded",
                             result_id=sub_a)
    score = ManualScore.objects.create(submission_id=sub_a, criterion="explain", points=5,
                                       notes="", scored_by=users["owner"])
    decision = Decision.objects.create(invite=a.invite, submission_id=sub_a, outcome="hold",
                                       reason="wait for the others",
                                       decided_by=users["owner"])
    objects = {"group": Group.objects.create(name="reviewers"), "user": users["owner"],
               "opening": opening, "invite": a.invite, "upload": upload, "job": job,
               "submission": report.submission.id, "manualscore": score,
               "decision": decision}
    return World(users=users, api_tokens={r: t.plain for r, t in made_tokens.items()},
                 owner_token_id=made_tokens["owner"].token.pk, opening=opening,
                 invite_a=a.invite, invite_b=b.invite, token_a=a.token, token_b=b.token,
                 upload_a=upload, sub_a=sub_a, objects=objects)


# -- path traversal ------------------------------------------------------------------------

def store_folder() -> Path:
    """The folder of the store the service opened (its SQLite file's)."""
    from django.conf import settings

    return Path(str(settings.DATABASES["default"]["NAME"])).parent


def place_canary(folder: Path | None = None) -> list[bytes]:
    """A canary file beside the store; what no answer may ever hold: its text, the
    service's secret key (kept in `secret_key` beside the store), the database file's
    header."""
    from django.conf import settings

    canary = (folder or store_folder()) / CANARY
    if not canary.exists():
        canary.write_text(f"canary {secrets.token_hex(16)}\n")
    return [canary.read_bytes(), str(settings.SECRET_KEY).encode(), b"SQLite format 3\x00"]


def traversals(store: Path | None = None) -> list[str]:
    """Names that try to leave where they are asked in (URL text, sent as is): dot-dot
    segments plain, percent-encoded, doubly encoded, with backslashes, absolute paths of the
    canary and the store's files (in `store`, default the service's), NUL bytes."""
    folder = (store or store_folder()).as_posix().lstrip("/")
    up = "../" * 12
    return [f"{up}etc/passwd", f"{up}{folder}/{CANARY}", f"{up}{folder}/secret_key",
            "..%2f..%2f..%2f..%2f" + f"{folder}/{CANARY}".replace("/", "%2f"),
            f"%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/{folder}/{CANARY}",
            f"%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f{folder}%2f{CANARY}",
            f"%252e%252e%252f%252e%252e%252f{CANARY}", f".%2e/.%2e/.%2e/{CANARY}",
            f"..%5c..%5c..%5c{CANARY}", f"....//....//{CANARY}",
            f"/{folder}/{CANARY}", f"%2f{folder}%2f{CANARY}", f"/{folder}/grader.db",
            f"{CANARY}%00.png", f"server.log%00/../../{CANARY}", "..", "%2e%2e", "."]


# -- the routes ----------------------------------------------------------------------------

def routes() -> list[str]:
    """Every route Django resolves, as its pattern from the root ("/openings/<int:pk>/"),
    admin and API included (static files are served before the resolver: not here)."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver: Any, prefix: str) -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return ["/" + route for route in walk(get_resolver(), "")]


def admin_models() -> dict[str, tuple[str, str]]:
    """model name -> (app label, model name) of every model the admin pages register."""
    from django.contrib import admin

    return {str(m._meta.model_name): (m._meta.app_label, str(m._meta.model_name))
            for m in admin.site._registry}


def row_key(route: str) -> str:
    """The matrix row of a route: the route without its converters' types
    (`/openings/<pk>/`); an admin page of a registered model is one row for all models
    (`/admin/<app>/<model>/...`: the admin treats every model alike)."""
    found = re.match(r"^/admin/(\w+)/(\w+)/(.*)$", route)
    if found and (found.group(1), found.group(2)) in admin_models().values():
        route = f"/admin/<app>/<model>/{found.group(3)}"
    return re.sub(r"<\w+:(\w+)>", r"<\1>", route)


def concrete_urls(route: str, world: World, role: str) -> list[str]:
    """The URLs a route is tried at for a role: the ids of invite A's objects, the owner's
    API token, the role's own invite token where the route takes one, and for an admin row
    one URL per registered model."""
    found = re.match(r"^/admin/(\w+)/(\w+)/(.*)$", route)
    if found and (found.group(1), found.group(2)) in admin_models().values():
        obj = world.objects[found.group(2)]
        pk = obj if isinstance(obj, str) else obj.pk
        return [_fill(route.replace("<path:object_id>", str(pk)).replace("<id>", str(pk)),
                      world, role)]
    return [_fill(route, world, role)]


def _fill(route: str, world: World, role: str) -> str:
    from django.contrib.contenttypes.models import ContentType

    from grader.db.models import Opening

    opening_ct = ContentType.objects.get_for_model(Opening).pk
    pk = world.invite_a.pk if route.startswith("/candidates/") else world.opening.pk
    values = {
        "<int:pk>": str(pk), "<str:sub_id>": world.sub_a, "<path:name>": "server.log",
        "<str:token>": world.invite_token(role), "<int:opening_id>": str(world.opening.pk),
        "<int:invite_id>": str(world.invite_a.pk), "<int:upload_id>": str(world.upload_a.pk),
        "<str:submission_id>": world.sub_a, "<int:token_id>": str(world.owner_token_id),
        "<path:content_type_id>": str(opening_ct), "<path:object_id>": str(world.opening.pk),
        "^(?P<app_label>auth|grader)/$": "grader/", "(?P<url>.*)$": "no-such-page/",
        "^(?P<rest>.*)$": "v1/no-such-route"}
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    assert "<" not in route and "(?" not in route, f"no value for a part of {route}"
    return route


# -- one request as one role ---------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: bytes


def request_as(world: World, role: str, method: str, url: str,
               data: dict[str, Any] | None = None, csrf: bool = False,
               with_token: bool = False, token_field: bool = True,
               session_on_api: bool = False) -> Answer:
    """`method url` as `role`, in a transaction rolled back afterwards (the rate limits'
    cache emptied too). A reviewer or the admin has a session on the pages and sends their
    API token to /api/; a candidate has no session and sends their invite token to /api/;
    anonymous has neither. `csrf`: CSRF checks enforced, as in a browser; `with_token`: the
    form's CSRF token taken from the login page's form first (the cookie comes with it), as
    a browser would send it (in the form's field, and in the X-CSRFToken header as the upload
    page's script does; only the header when not `token_field`); `session_on_api`: a
    reviewer's session cookie, and no token, on /api/."""
    from django.core.cache import cache
    from django.db import transaction
    from django.test import Client

    browser = Client(enforce_csrf_checks=csrf, HTTP_HOST=HOST)
    extra: dict[str, Any] = {}
    api = url.startswith("/api/")
    if api and world.bearer(role) is not None and not session_on_api:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.bearer(role)}"
    cache.clear()
    with transaction.atomic(using="default"):
        if (session_on_api or not api) and role in REVIEWERS:
            browser.force_login(world.users[role])
        if with_token:
            page = browser.get("/login/").content.decode()
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert found, page[:300]
            if token_field:
                data = {**(data or {}), "csrfmiddlewaretoken": found.group(1)}
            extra["HTTP_X_CSRFTOKEN"] = found.group(1)
        if method == "GET":
            response = browser.get(url, **extra)
        elif method == "POST" and not api:
            response = browser.post(url, data or {}, **extra)
        else:
            response = browser.generic(method, url, **extra)
        answer = Answer(response.status_code, response.get("Location", ""),
                        b"".join(response) if response.streaming else response.content)
        transaction.set_rollback(True, using="default")
    cache.clear()
    return answer
