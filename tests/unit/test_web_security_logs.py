"""An invite's token is the candidate's credential, and it sits in the link's path; the
service's log must not keep it (a refused request is logged with its path by Django: a wrong
method, a 404, a CSRF refusal). Every request the candidate's routes can refuse is
made with a live token, and no log record of the service holds the token."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.unit.web_security_support import build_world, request_as, web

__all__ = ["web"]


def test_no_log_record_holds_an_invite_token(web: None, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    world = build_world(tmp_path)
    token = world.token_a
    caplog.set_level(logging.INFO)
    tries = [("GET", f"/invite/{token}/upload/"), ("DELETE", f"/invite/{token}/"),
             ("POST", f"/invite/{token}/"), ("POST", f"/invite/{token}/upload/"),
             ("PUT", f"/invite/{token}/upload/")]
    statuses = [request_as(world, "cand_a", method, url).status for method, url in tries]
    assert statuses == [405, 405, 400, 302, 405]
    assert request_as(world, "cand_a", "POST", f"/invite/{token}/upload/",
                      csrf=True).status == 403                    # the CSRF refusal's record
    from grader.web.invites import revoke

    revoke(world.invite_a)
    assert request_as(world, "cand_a", "GET", f"/invite/{token}/").status == 404
    logged = [r.getMessage() for r in caplog.records]
    assert any("/invite/" in line for line in logged), logged      # they were logged ...
    assert not [line for line in logged if token in line]          # ... without the token
    assert any("/invite/" + token[:6] in line for line in logged)  # the hint says which
