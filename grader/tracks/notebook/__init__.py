"""The notebook track (data science): `track` drives it, `config` types its track_config,
`execute` runs a notebook in the sandbox with grader's `run_notebook.py` (copied in beside it)
and reads back what happened, `answers` reads and judges answers.json against a key, `judging`,
`figures` and `static` make the checks."""

from grader.tracks.notebook.track import NotebookTrack

__all__ = ["NotebookTrack"]
