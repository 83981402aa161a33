"""openapi.yaml against the service: the URL resolver is walked and every /api/ route must be
documented with exactly the methods its view answers and the security its view demands
(reviewer token, invite token, either, or none), every documented path must be a route, the
path parameters must match, and every operation must document the refusals its access
brings (401, 403, 404, 429). The document is served at /api/v1/openapi.yaml."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.unit.test_web_api_support import SPEC_FILE, Api, spec
from tests.unit.test_web_api_support import api as api  # a fixture
from tests.unit.test_web_api_support import web as web  # a fixture

SCHEMES = {"reviewer": [{"reviewerToken": []}], "candidate": [{"inviteToken": []}],
           "any": [{"reviewerToken": []}, {"inviteToken": []}], "public": []}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    from django.urls import URLPattern, URLResolver

    found: list[tuple[str, Any]] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append((route, entry.callback))
    return found


def api_routes() -> dict[str, Any]:
    """Every /api/ route of the service as a documented template -> its view."""
    from django.urls import get_resolver

    from grader.db.connection import ensure_django

    ensure_django()
    routes, catch_all = {}, []
    for route, view in _walk(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        if getattr(view, "api_catch_all", False):
            catch_all.append(route)
            continue
        assert "^" not in route and "(?P" not in route, f"{route}: a regex route"
        routes["/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)] = view
    assert len(catch_all) == 1, catch_all          # the JSON 404 for the rest of /api/
    return routes


def _operations(template: str) -> dict[str, Any]:
    item = spec()["paths"][template]
    return {m.upper(): op for m, op in item.items() if m != "parameters"}


def test_every_api_route_is_documented_and_every_documented_path_is_a_route() -> None:
    routes = api_routes()
    assert set(routes) == set(spec()["paths"]), (
        f"undocumented: {sorted(set(routes) - set(spec()['paths']))}; "
        f"not routes: {sorted(set(spec()['paths']) - set(routes))}")
    assert len(routes) >= 20


def test_each_route_answers_exactly_the_documented_methods_with_the_documented_security(
        ) -> None:
    default = spec()["security"]
    for template, view in api_routes().items():
        operations = _operations(template)
        assert sorted(operations) == view.api_methods, template
        for method, operation in operations.items():
            access = view.api_access[method]
            assert operation.get("security", default) == SCHEMES[access], (method, template)


def test_path_parameters_are_documented_by_name() -> None:
    params = spec()["components"]["parameters"]

    def names(entries: list[dict[str, Any]]) -> set[str]:
        out = set()
        for p in entries:
            p = params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
            if p["in"] == "path":
                assert p["required"] is True
                out.add(p["name"])
        return out

    for template, item in spec()["paths"].items():
        wanted = set(re.findall(r"\{(\w+)\}", template))
        shared = names(item.get("parameters", []))
        for method, operation in _operations(template).items():
            assert shared | names(operation.get("parameters", [])) == wanted, (method,
                                                                              template)


def test_every_operation_documents_the_refusals_its_access_brings() -> None:
    routes = api_routes()
    for template, view in routes.items():
        for method, operation in _operations(template).items():
            codes = set(operation["responses"])
            access = view.api_access[method]
            assert any(c.startswith("2") for c in codes), (method, template)
            if access == "public":
                continue
            assert {"401", "429"} <= codes, (method, template)
            if access in ("reviewer", "candidate"):
                assert "403" in codes, (method, template)
            if "{" in template or access == "candidate":
                assert "404" in codes, (method, template)
            if "requestBody" in operation:
                assert {"400", "413"} <= codes, (method, template)
            if operation.get("requestBody", {}).get("content", {}).get("application/json"):
                assert "422" in codes, (method, template)
            assert operation["operationId"] and operation["summary"], (method, template)


def test_the_document_is_served_as_it_is_in_the_package(api: Api) -> None:
    answer = api.get("/api/v1/openapi.yaml")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/yaml")
    assert answer.content == SPEC_FILE.read_bytes()
    assert yaml.safe_load(answer.content)["openapi"] == spec()["openapi"]
    assert answer["Cache-Control"] == "no-store"


def test_the_rest_of_api_is_a_json_404_and_a_wrong_method_a_json_405(api: Api) -> None:
    missing = api.post("/api/v1/nowhere", check=False)
    assert missing.status_code == 404 and missing.json()["error"] == "not-found"
    assert "/api/v1/openapi.yaml" in missing.json()["message"]
    slash = api.get("/api/v1/openings/", check=False)      # no trailing slashes, no redirect
    assert slash.status_code == 404
    wrong = api.call("DELETE", "/api/v1/openings", check=False)
    assert wrong.status_code == 405 and wrong["Allow"] == "GET, POST"
    assert wrong.json() == {"error": "method-not-allowed", "message": wrong.json()["message"]}
    assert "it takes GET, POST" in wrong.json()["message"]
