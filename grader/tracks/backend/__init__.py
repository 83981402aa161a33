"""The backend track (a REST API graded by hidden HTTP tests): `track` drives it, `config`
types its track_config, `static` reads framework and handler facts, `hidden` runs the hidden
suite in the tester container (`tester/` holds grader's runner copied there)."""

from grader.tracks.backend.track import BackendTrack

__all__ = ["BackendTrack"]
