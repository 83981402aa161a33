from aiohttp import web

from notes_service import auth
from notes_service.repository import REPO, NoteRepository, UsernameTaken
from notes_service.validation import USERNAME, bad, integer, json_object, note_id, text

routes = web.RouteTableDef()
NOT_FOUND = {"detail": "note not found"}


def repository(request: web.Request) -> NoteRepository:
    return request.app[REPO]


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.post("/auth/register")
async def register(request: web.Request) -> web.Response:
    data = await json_object(request)
    username = data.get("username")
    if not isinstance(username, str) or not USERNAME.match(username):
        raise bad(422, "username must be 3 to 32 letters, digits or underscores")
    password = text(data, "password", 8, 128)
    try:
        user = await repository(request).create_user(username,
                                                     await auth.hash_password(password))
    except UsernameTaken:
        return web.json_response({"detail": "that username is taken"}, status=409)
    return web.json_response({"id": user.id, "username": user.username}, status=201)


@routes.post("/auth/token")
async def token(request: web.Request) -> web.Response:
    data = await json_object(request)
    username = text(data, "username", 1, 64)
    password = text(data, "password", 1, 128)
    lifetime = integer(data.get("expires_in", 3600), "expires_in", 1, 86400)
    found = await repository(request).password_hash(username)
    if not await auth.check_password(password, found[1] if found else None) or found is None:
        return web.json_response({"detail": "invalid username or password"}, status=401)
    access = await auth.issue_token(repository(request), found[0], lifetime)
    return web.json_response({"access_token": access, "token_type": "bearer",
                              "expires_in": lifetime})


@routes.get("/notes")
async def list_notes(request: web.Request) -> web.Response:
    limit = integer(request.query.get("limit", "20"), "limit", 1, 100)
    offset = integer(request.query.get("offset", "0"), "offset", 0, 2**63 - 1)
    repo, user = repository(request), request["user"]
    notes = await repo.list_notes(user.id, limit, offset)
    return web.json_response({"items": [n.to_json() for n in notes],
                              "total": await repo.count_notes(user.id),
                              "limit": limit, "offset": offset})


@routes.post("/notes")
async def create_note(request: web.Request) -> web.Response:
    data = await json_object(request)
    title, body = text(data, "title", 1, 200), text(data, "body", 0, 10_000, "")
    note = await repository(request).create_note(request["user"].id, title, body)
    return web.json_response(note.to_json(), status=201)


@routes.get(r"/notes/{note_id:\d+}")
async def get_note(request: web.Request) -> web.Response:
    note = await repository(request).get_note(request["user"].id, note_id(request))
    if note is None:
        return web.json_response(NOT_FOUND, status=404)
    return web.json_response(note.to_json())


@routes.put(r"/notes/{note_id:\d+}")
async def update_note(request: web.Request) -> web.Response:
    wanted = note_id(request)
    data = await json_object(request)
    title, body = text(data, "title", 1, 200), text(data, "body", 0, 10_000, "")
    note = await repository(request).update_note(request["user"].id, wanted, title, body)
    if note is None:
        return web.json_response(NOT_FOUND, status=404)
    return web.json_response(note.to_json())


@routes.delete(r"/notes/{note_id:\d+}")
async def delete_note(request: web.Request) -> web.Response:
    if not await repository(request).delete_note(request["user"].id, note_id(request)):
        return web.json_response(NOT_FOUND, status=404)
    return web.Response(status=204)
