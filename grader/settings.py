"""Settings read from the environment, in one place.

GRADER_BASE_IMAGE       base image every sandbox image is built on (default python:3.12-slim;
                        scripts/build-offline-base.sh makes one without a registry)
GRADER_CHALLENGES_PATH  extra folders holding challenges, searched by id (os.pathsep-separated)
GRADER_CA_BUNDLE        CA bundle copied into images so pip can reach the package index
                        during builds (default: the host's /etc/ssl/certs/ca-certificates.crt)
DOCKER_HOST             which engine to use (the Docker SDK's own setting; ssh:// works)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_IMAGE = "python:3.12-slim"
OFFLINE_BASE_IMAGE = "grader-offline-base:bookworm"
DEFAULT_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


@dataclass(frozen=True)
class Settings:
    base_image: str = DEFAULT_BASE_IMAGE
    ca_bundle: Path | None = None
    #: False when GRADER_BASE_IMAGE is unset: then, if the default cannot be had but an
    #: offline-built base exists on the engine, that one is used (and the report says so).
    base_image_explicit: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        ca = os.environ.get("GRADER_CA_BUNDLE", DEFAULT_CA_BUNDLE)
        ca_path = Path(ca) if ca and Path(ca).is_file() else None
        explicit = os.environ.get("GRADER_BASE_IMAGE", "").strip()
        return cls(base_image=explicit or DEFAULT_BASE_IMAGE, ca_bundle=ca_path,
                   base_image_explicit=bool(explicit))
