"""Per-installation hidden material, kept outside the repository.

The bundled challenges carry their hidden tests, seeds and holdout generators in the repository,
so anyone can read them: fine for the examples and the tests, not for real hiring. A deployment
points GRADER_SECRETS at a folder holding `secrets.yaml`, one entry per challenge id, merged
into that challenge's challenge.yaml when it loads (nested mappings key by key), for example:

    datascience:
      track_config: {data: {variant_seed: 81723}}
    backend:
      track_config: {hidden_tests: backend-hidden}   # a folder beside secrets.yaml

Relative paths in it are resolved in the secrets folder (which paths may then lie in, besides
the challenge folder). `grader doctor` warns about every challenge graded with its bundled
(public) material only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from grader.errors import ChallengeConfigError

SECRETS_FILE = "secrets.yaml"


def secrets_folder() -> Path | None:
    """The folder GRADER_SECRETS names (its secrets.yaml), or None when unset."""
    value = os.environ.get("GRADER_SECRETS", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path.parent if path.name == SECRETS_FILE else path


def secrets_for(challenge_id: str) -> tuple[dict[str, Any], Path | None]:
    """(this challenge's entry of secrets.yaml, the secrets folder); ({}, None) when none.
    ChallengeConfigError when GRADER_SECRETS is set but unreadable."""
    folder = secrets_folder()
    if folder is None:
        return {}, None
    file = folder / SECRETS_FILE
    if not file.is_file():
        raise ChallengeConfigError(f"{file}: not found (GRADER_SECRETS names a folder that "
                                   f"must hold {SECRETS_FILE})")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise ChallengeConfigError(f"{file}: is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ChallengeConfigError(f"{file}: expected a mapping of challenge id -> settings")
    entry = data.get(challenge_id, {})
    if not isinstance(entry, dict):
        raise ChallengeConfigError(f"{file}: key '{challenge_id}': expected a mapping merged "
                                   "into that challenge's challenge.yaml")
    return entry, folder.resolve()
