from app import create_app


def test_health(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = create_app(str(tmp_path)).test_client()
    assert client.get("/health").status_code == 200
