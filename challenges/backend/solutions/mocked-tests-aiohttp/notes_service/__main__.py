import os

from aiohttp import web

from notes_service.app import create_app


def main() -> None:
    web.run_app(create_app(), host=os.environ.get("HOST", "0.0.0.0"),
                port=int(os.environ.get("PORT", "8000")), access_log=None)


if __name__ == "__main__":
    main()
