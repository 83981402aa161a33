"""The track registry: track name -> the class that grades it.

A track is a class registered under the `grader.tracks` entry-point group (see pyproject.toml);
a challenge names its track in challenge.yaml. Adding a challenge of an existing track needs no
code; adding a track needs a class and an entry point, not a change to the pipeline.

This module imports no other grader module: `grader.challenge` uses it to load a challenge's
typed track configuration, and the track modules themselves import `grader.challenge`, so
they are imported here lazily, by name.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.tracks.base import Track

# Tracks shipped with grader, usable even when the package metadata is missing
# (e.g. running from a source tree without `pip install -e .`).
_BUILTIN = {
    "io": "grader.tracks.io:IoTrack",
    "backend": "grader.tracks.backend:BackendTrack",
    "notebook": "grader.tracks.notebook:NotebookTrack",
    "mle": "grader.tracks.mle:MleTrack",
}


@cache
def known_tracks() -> dict[str, str]:
    """Track name -> "module:Class", from built-ins and the `grader.tracks` entry points."""
    found = {ep.name: ep.value for ep in entry_points(group="grader.tracks")}
    found.update(_BUILTIN)  # a plug-in cannot replace a built-in track by taking its name
    return found


@cache
def _track_class(name: str) -> Any:
    target = known_tracks().get(name)
    if target is None:
        raise KeyError(f"unknown track {name!r}; known: {', '.join(sorted(known_tracks()))}")
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def get_track(name: str) -> Track[Any]:
    """A fresh instance of the track registered as `name` (KeyError if there is none)."""
    track: Track[Any] = _track_class(name)()
    return track
