"""Mass assignment: fields a client must not set (who owns a note, its id), sent beside the
title and body. A server that ignores or refuses them passes; one that stores them lets a user
plant notes in another user's account or take over another user's note."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Api, User, _json, not_run, record_exchange

OWNER_FIELDS = ("owner_id", "user_id", "owner", "user", "author_id")


def _owner_variants(victim: User) -> list[tuple[str, object]]:
    """(field, value) naming `victim` as a note's owner: by id, and by name for `owner`."""
    variants: list[tuple[str, object]] = []
    if victim.id is not None:
        variants += [(field, victim.id) for field in OWNER_FIELDS]
    variants.append(("owner", victim.username))
    return variants


def _titles_of(api: Api, user: User) -> list[str]:
    r = api.get("/notes?limit=50", token=user.token)
    body = _json(r) if r.status_code == 200 else None
    items = body.get("items") if isinstance(body, dict) else None
    return [str(n.get("title")) for n in items if isinstance(n, dict)] if isinstance(
        items, list) else []


@pytest.mark.points(3)
def test_a_client_cannot_set_a_notes_owner(api: Api, user: User, fresh_user: User) -> None:
    """Creating or updating a note with an owner field (owner_id, user_id, owner, ...) naming
    another user never puts the note in that user's account."""
    attacker, victim = user, fresh_user
    sent: dict[str, tuple[str, dict[str, Any]]] = {}  # title -> (what carried it, exchange)
    for field, value in _owner_variants(victim):
        title = f"planted-{field}-{type(value).__name__}"
        api.post("/notes", token=attacker.token, json={"title": title, "body": "x",
                                                       field: value})
        sent[title] = (f"POST /notes with {json.dumps({field: value})}", api.last_exchange)
        mine = attacker.create_note(f"moved-{field}-{type(value).__name__}", "x")
        api.put(f"/notes/{mine['id']}", token=attacker.token,
                json={"title": mine["title"], "body": "x", field: value})
        sent[mine["title"]] = (f"PUT /notes/{{id}} with {json.dumps({field: value})}",
                               api.last_exchange)
    control = attacker.create_note(f"control-{len(sent)}", "no owner field")["title"]
    titles = _titles_of(api, victim)
    if control in titles:  # not per user at all: nothing here tells what the fields did
        not_run("one user's plain note is in another user's list: lists are not per user "
                "(judged by http.auth.lists_are_per_user)", "http.auth.lists_are_per_user")
    planted = [sent[t] for t in titles if t in sent]
    if planted:
        record_exchange(planted[0][1])  # the request that did it is the evidence
        raise AssertionError(
            f"{planted[0][0]} (by one user, naming another) put the note in the other user's "
            f"list ({len(planted)} of {len(sent)} such requests did): a client sets who owns "
            "a note")


@pytest.mark.points(2)
def test_a_client_cannot_set_a_notes_id(api: Api, user: User, fresh_user: User) -> None:
    """Creating or updating a note with the `id` of another user's note leaves that note as it
    was, its owner's alone."""
    attacker, victim = user, fresh_user
    target = victim.create_note("owned note", "untouched")
    if api.get(f"/notes/{target['id']}", token=victim.token).status_code != 200:
        not_run("reading a note back failed (GET /notes/{id})", "http.contract.get_note")
    api.post("/notes", token=attacker.token, json={"title": "id-on-create", "body": "x",
                                                   "id": target["id"]})
    on_create = api.last_exchange
    mine = attacker.create_note("id-on-update", "x")
    api.put(f"/notes/{mine['id']}", token=attacker.token,
            json={"title": "id-on-update", "body": "x", "id": target["id"]})
    on_update = api.last_exchange
    back = api.get(f"/notes/{target['id']}", token=victim.token)
    body = _json(back) if back.status_code == 200 else None
    if isinstance(body, dict) and body.get("title") == "owned note" and \
            body.get("body") == "untouched":
        return
    now = (f"its title is now {body.get('title')!r}" if isinstance(body, dict) else
           f"its owner now gets {back.status_code}")
    # the request that did it is the evidence: the update, unless the create's title shows
    record_exchange(on_create if isinstance(body, dict) and body.get("title") ==
                    "id-on-create" else on_update)
    raise AssertionError(f"a create and an update by another user carrying "
                         f"{{\"id\": {target['id']}}} took this note over ({now}): a client "
                         "chose the id of a note it does not own")
