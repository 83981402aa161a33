"""Tracks: how a kind of challenge is graded (backend, data science, MLE, ...).

A track is a class registered under the `grader.tracks` entry-point group (see pyproject.toml);
a challenge names its track in challenge.yaml. Adding a challenge of an existing track needs
no code; adding a track needs a class and an entry point, not a change to the pipeline.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from grader.tracks.base import GradingContext, Track

__all__ = ["GradingContext", "Track", "get_track", "known_tracks"]

# Tracks shipped with grader, usable even when the package metadata is missing
# (e.g. running from a source tree without `pip install -e .`).
_BUILTIN = {
    "io": "grader.tracks.io:IoTrack",
    "backend": "grader.tracks.backend:BackendTrack",
    "notebook": "grader.tracks.datascience:NotebookTrack",
    "mle": "grader.tracks.mle:MleTrack",
}


@cache
def known_tracks() -> dict[str, str]:
    """Track name -> "module:Class", from built-ins and the `grader.tracks` entry points."""
    found = dict(_BUILTIN)
    for ep in entry_points(group="grader.tracks"):
        found[ep.name] = ep.value
    return found


def get_track(name: str) -> Track:
    target = known_tracks().get(name)
    if target is None:
        raise KeyError(f"unknown track {name!r}; known: {', '.join(sorted(known_tracks()))}")
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    track: Track = cls()
    return track
