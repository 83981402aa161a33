"""Tracks: how a kind of challenge is graded (backend, notebook, mle, io).

Each track is a class implementing `grader.tracks.base.Track`, registered by name in
`grader.registry` (built-ins) or under the `grader.tracks` entry-point group (plug-ins).
Built-in tracks are packages (`backend/`, `notebook/`, `mle/`) or one module (`io.py`); steps
they share are in `steps/`.
"""

from __future__ import annotations

from grader.registry import get_track, known_tracks
from grader.tracks.base import GradingContext, Track

__all__ = ["GradingContext", "Track", "get_track", "known_tracks"]
