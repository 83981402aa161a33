"""Route discovery (grader/analysis/routes.py and the style modules beside it) on small
submissions of each class-based and router style: every route under the prefix its router,
blueprint, namespace or API is mounted at, pointing at the method that answers it, async where
it is. The static facts that read routes (the async share, the handler a failed request is
pointed at) are only as true as this."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.analysis.frameworks import detect_framework
from grader.analysis.routes import Route, find_routes, handler_for
from grader.tracks.backend.static import async_check


def routes_of(root: Path, files: dict[str, str]) -> list[Route]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return find_routes(root, sorted(files))


def table(routes: list[Route]) -> set[tuple[str, str, str]]:
    """{(METHODS, path, "file:line handler" + " async")}."""
    return {(",".join(sorted(r.methods)).upper() or "*", r.path,
             f"{r.file}:{r.line} {r.handler}" + (" async" if r.is_async else ""))
            for r in routes}


AIOHTTP = {
    "server.py": """
        from aiohttp import web


        async def list_notes(request):
            ...


        async def health(request):
            ...


        def make_app():
            api = web.Application()
            api.router.add_route("GET", "/notes", list_notes)
            app = web.Application()
            app.router.add_get("/health", health)
            app.add_subapp("/api", api)
            return app
        """,
}
DJANGO = {
    "notes/urls.py": """
        from django.urls import path
        from rest_framework.routers import DefaultRouter

        from . import views

        router = DefaultRouter()
        router.register("notes", views.NoteViewSet, basename="note")
        urlpatterns = [
            path("health/", views.Health.as_view()),
            path("tags/", views.TagList.as_view()),
            path("users/<int:pk>/",
                 views.UserViewSet.as_view({"get": "retrieve", "delete": "destroy"})),
        ]
        urlpatterns += router.urls
        """,
    "notes/views.py": """
        from django.views import View
        from rest_framework import generics, viewsets
        from rest_framework.decorators import action


        class Base(View):
            async def get(self, request):
                ...


        class Health(Base):
            pass


        class TagList(generics.ListCreateAPIView):
            pass


        class NoteViewSet(viewsets.ModelViewSet):
            def list(self, request):
                ...

            @action(detail=True, methods=["post"], url_path="pin")
            def pin(self, request, pk=None):
                ...


        class UserViewSet(viewsets.GenericViewSet):
            def retrieve(self, request, pk=None):
                ...

            def destroy(self, request, pk=None):
                ...
        """,
    "site/urls.py": """
        from django.urls import include, path

        urlpatterns = [path("api/", include("notes.urls"))]
        """,
}
FASTAPI = {
    "app/__init__.py": "",
    "app/crud.py": """
        async def list_notes():
            return []
        """,
    "app/main.py": """
        from fastapi import FastAPI

        from app.routers import notes, users

        app = FastAPI()
        app.include_router(notes.router, prefix="/notes")
        app.include_router(users.router)
        """,
    "app/routers/__init__.py": "",
    "app/routers/notes.py": """
        from fastapi import APIRouter

        from app import crud

        router = APIRouter(tags=["notes"])


        @router.get("")
        async def list_notes():
            return await crud.list_notes()
        """,
    "app/routers/users.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/users")


        @router.get("/{user_id}")
        def get_user(user_id: int):
            ...
        """,
}
FALCON = {
    "app.py": """
        import falcon.asgi


        class NotesResource:
            def __init__(self, db):
                self.db = db

            async def on_get(self, req, resp):
                pass

            async def on_post(self, req, resp):
                pass

            async def on_get_item(self, req, resp, note_id):
                pass

            async def on_delete_item(self, req, resp, note_id):
                pass


        def health(req, resp):
            pass


        app = falcon.asgi.App()
        notes = NotesResource(db=None)
        app.add_route("/notes", notes)
        app.add_route("/notes/{note_id:int}", notes, suffix="item")
        """,
}
LITESTAR = {
    "app.py": """
        from litestar import Controller, Litestar, Router, get, post


        class NotesController(Controller):
            path = "/notes"

            @get()
            async def list_notes(self) -> list:
                return []

            @post("/{note_id:int}/pin")
            async def pin(self, note_id: int) -> None:
                ...


        @get("/health")
        async def health() -> dict:
            return {}


        api = Router(path="/api", route_handlers=[NotesController])
        app = Litestar(route_handlers=[api, health])
        """,
}
NINJA = {
    "api/__init__.py": "",
    "api/auth.py": """
        from ninja import Router

        router = Router()


        @router.post("/token")
        def token(request):
            ...
        """,
    "api/main.py": """
        from ninja import NinjaAPI

        from .notes import router as notes_router

        api = NinjaAPI()
        api.add_router("/notes", notes_router)
        api.add_router("/auth", "api.auth.router")


        @api.get("/health")
        async def health(request):
            return {}
        """,
    "api/notes.py": """
        from ninja import Router

        router = Router()


        @router.get("")
        async def list_notes(request):
            ...


        @router.api_operation(["PUT", "PATCH"], "/{note_id}")
        def change(request, note_id: int):
            ...
        """,
    "site/urls.py": """
        from django.urls import path

        from api.main import api

        urlpatterns = [path("api/v1/", api.urls)]
        """,
}
FLASK_RESTFUL = {
    "app.py": """
        from flask import Blueprint, Flask
        from flask_restful import Api, Resource

        bp = Blueprint("api", __name__)
        api = Api(bp, prefix="/api")


        class Notes(Resource):
            def get(self):
                return []


        class Note(Resource):
            def put(self, note_id):
                return {}


        api.add_resource(Notes, "/notes", "/notes/")
        api.add_resource(Note, "/notes/<int:note_id>")
        app = Flask(__name__)
        app.register_blueprint(bp, url_prefix="/x")
        """,
}
FLASK_RESTX = {
    "app/__init__.py": """
        from flask import Blueprint, Flask
        from flask_restx import Api

        from .api.notes import ns as notes_ns
        from .api import auth

        blueprint = Blueprint("api", __name__, url_prefix="/v1")
        api = Api(blueprint, doc="/docs")
        api.add_namespace(notes_ns)
        api.add_namespace(auth.ns, path="/auth")


        def create_app():
            app = Flask(__name__)
            app.register_blueprint(blueprint)
            return app
        """,
    "app/api/__init__.py": "",
    "app/api/auth.py": """
        from flask_restx import Namespace, Resource

        ns = Namespace("accounts")


        class Token(Resource):
            def post(self):
                return {}


        ns.add_resource(Token, "/token")
        """,
    "app/api/notes.py": """
        from flask_restx import Namespace, Resource

        ns = Namespace("notes", description="Notes")
        NOTE = "/<int:note_id>"


        @ns.route("")
        class NoteList(Resource):
            def get(self):
                return []

            def post(self):
                return {}, 201


        @ns.route(NOTE)
        @ns.param("note_id", "id")
        class NoteItem(Resource):
            def get(self, note_id):
                return {}

            def delete(self, note_id):
                return "", 204
        """,
}


def test_flask_restx_namespaces_and_resources(tmp_path: Path) -> None:
    """`@ns.route` on Resource classes and `ns.add_resource`, namespaces added to an Api made
    on a blueprint with a url_prefix: not "no route handlers found"."""
    routes = routes_of(tmp_path, FLASK_RESTX)
    assert table(routes) == {
        ("POST", "/v1/auth/token", "app/api/auth.py:7 Token.post"),
        ("GET", "/v1/notes", "app/api/notes.py:9 NoteList.get"),
        ("POST", "/v1/notes", "app/api/notes.py:12 NoteList.post"),
        ("GET", "/v1/notes/<int:note_id>", "app/api/notes.py:19 NoteItem.get"),
        ("DELETE", "/v1/notes/<int:note_id>", "app/api/notes.py:22 NoteItem.delete")}
    assert async_check(routes).message == "0 of 5 handler(s) are async"
    found = handler_for(routes, "DELETE", "/v1/notes/7")
    assert found is not None and found.handler == "NoteItem.delete"


def test_flask_restful_add_resource_under_its_blueprint(tmp_path: Path) -> None:
    assert table(routes_of(tmp_path, FLASK_RESTFUL)) == {
        ("GET", "/x/api/notes", "app.py:9 Notes.get"),
        ("GET", "/x/api/notes/", "app.py:9 Notes.get"),
        ("PUT", "/x/api/notes/<int:note_id>", "app.py:14 Note.put")}


def test_falcon_responders_with_a_suffix_on_a_resource_variable(tmp_path: Path) -> None:
    routes = routes_of(tmp_path, FALCON)
    assert table(routes) == {
        ("GET", "/notes", "app.py:8 NotesResource.on_get async"),
        ("POST", "/notes", "app.py:11 NotesResource.on_post async"),
        ("GET", "/notes/{note_id:int}", "app.py:14 NotesResource.on_get_item async"),
        ("DELETE", "/notes/{note_id:int}", "app.py:17 NotesResource.on_delete_item async")}
    found = handler_for(routes, "DELETE", "/notes/12")
    assert found is not None and found.handler == "NotesResource.on_delete_item"


def test_django_class_based_views_generics_and_viewsets(tmp_path: Path) -> None:
    """A View whose get comes from a base class, a DRF generic view (the methods its base
    implies), a ModelViewSet (inherited actions at the class's line) with an @action, and a
    viewset's as_view mapping, under include() and `urlpatterns += router.urls`."""
    assert table(routes_of(tmp_path, DJANGO)) == {
        ("GET", "/api/health/", "notes/views.py:7 Health.get async"),
        ("GET,POST", "/api/tags/", "notes/views.py:15 TagList"),
        ("GET", "/api/notes/", "notes/views.py:20 NoteViewSet.list"),
        ("POST", "/api/notes/", "notes/views.py:19 NoteViewSet.create"),
        ("GET", "/api/notes/{pk}/", "notes/views.py:19 NoteViewSet.retrieve"),
        ("PUT", "/api/notes/{pk}/", "notes/views.py:19 NoteViewSet.update"),
        ("PATCH", "/api/notes/{pk}/", "notes/views.py:19 NoteViewSet.partial_update"),
        ("DELETE", "/api/notes/{pk}/", "notes/views.py:19 NoteViewSet.destroy"),
        ("POST", "/api/notes/{pk}/pin/", "notes/views.py:24 NoteViewSet.pin"),
        ("GET", "/api/users/<int:pk>/", "notes/views.py:29 UserViewSet.retrieve"),
        ("DELETE", "/api/users/<int:pk>/", "notes/views.py:32 UserViewSet.destroy")}


def test_django_ninja_routers_under_the_urls_that_mount_the_api(tmp_path: Path) -> None:
    """add_router with the router or its dotted name, api_operation, the API mounted at
    `path("api/v1/", api.urls)`; async handlers count as async."""
    routes = routes_of(tmp_path, NINJA)
    assert table(routes) == {
        ("POST", "/api/v1/auth/token", "api/auth.py:7 token"),
        ("GET", "/api/v1/health", "api/main.py:11 health async"),
        ("GET", "/api/v1/notes", "api/notes.py:7 list_notes async"),
        ("PATCH,PUT", "/api/v1/notes/{note_id}", "api/notes.py:12 change")}
    assert async_check(routes).message == "2 of 4 handler(s) are async"


def test_litestar_controllers_under_a_router(tmp_path: Path) -> None:
    assert table(routes_of(tmp_path, LITESTAR)) == {
        ("GET", "/api/notes", "app.py:8 list_notes async"),
        ("POST", "/api/notes/{note_id:int}/pin", "app.py:12 pin async"),
        ("GET", "/health", "app.py:17 health async")}


def test_fastapi_include_router_prefixes_and_handlers_found_where_registered(
        tmp_path: Path) -> None:
    """`include_router(notes.router, prefix=)` through a module attribute; crud.py defines a
    list_notes of its own, which is not the handler."""
    assert table(routes_of(tmp_path, FASTAPI)) == {
        ("GET", "/notes", "app/routers/notes.py:9 list_notes async"),
        ("GET", "/users/{user_id}", "app/routers/users.py:7 get_user")}


def test_aiohttp_add_route_and_sub_applications(tmp_path: Path) -> None:
    assert table(routes_of(tmp_path, AIOHTTP)) == {
        ("GET", "/api/notes", "server.py:4 list_notes async"),
        ("GET", "/health", "server.py:8 health async")}


def test_extensions_count_as_their_framework(tmp_path: Path) -> None:
    """Flask-RESTX and Flask-RESTful are Flask, Django Ninja is Django, even in a module that
    imports only the extension."""
    for source, expected in (("from flask_restx import Api\n", "flask"),
                             ("import flask_restful\n", "flask"),
                             ("from ninja import NinjaAPI\n", "django")):
        (tmp_path / "api.py").write_text(source)
        assert detect_framework(tmp_path, ["api.py"])[0] == expected, source


def test_sanic_class_views_under_a_blueprint(tmp_path: Path) -> None:
    routes = routes_of(tmp_path, {"server.py": """
        from sanic import Blueprint, Sanic
        from sanic.views import HTTPMethodView

        bp = Blueprint("notes", url_prefix="/notes")


        class NoteView(HTTPMethodView):
            async def get(self, request, note_id: int):
                ...

            async def delete(self, request, note_id: int):
                ...


        bp.add_route(NoteView.as_view(), "/<note_id:int>")
        app = Sanic("notes")
        app.blueprint(bp)
        """})
    assert table(routes) == {
        ("GET", "/notes/<note_id:int>", "server.py:8 NoteView.get async"),
        ("DELETE", "/notes/<note_id:int>", "server.py:11 NoteView.delete async")}


def test_paths_built_from_module_constants(tmp_path: Path) -> None:
    """f-strings with escaped braces and a computed bound, `+` of constants, an imported
    prefix: the path a framework would see."""
    routes = routes_of(tmp_path, {"paths.py": 'API = "/api"\nMAX_ID = 2**63 - 1\n',
                                  "app.py": """
        import falcon

        from paths import API, MAX_ID


        class Item:
            def on_get(self, req, resp, item_id):
                ...


        app = falcon.App()
        app.add_route(API + f"/items/{{item_id:int(min=1, max={MAX_ID})}}", Item())
        """})
    assert table(routes) == {("GET", "/api/items/{item_id:int(min=1, max=9223372036854775807)}",
                              "app.py:7 Item.on_get")}
    found = handler_for(routes, "GET", "/api/items/3")
    assert found is not None and found.handler == "Item.on_get"
