"""Image builds cached by content hash.

The tag of an image is derived from a sha256 over everything that goes into it: the Dockerfile,
every file of its build context (path, executable bit, bytes), the build args and the id of the
image it starts from. If an image with that tag exists, nothing is built: a second `grader run`
builds nothing, and editing one byte of a challenge's image folder rebuilds exactly that image.

Build contexts are packed in memory, so a Dockerfile may live anywhere in the challenge folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
from docker.errors import APIError, BuildError, ImageNotFound

from grader.errors import EnvironmentProblem, ImageBuildError
from grader.sandbox.engine import BuildSpec, BuiltImage
from grader.sandbox.lifecycle import LABEL_CONTENT_HASH, LABEL_MANAGED
from grader.settings import OFFLINE_BASE_IMAGE, Settings

BASE_LAYER_DIR = Path(__file__).parent / "base"
_IGNORED_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _context_files(spec: BuildSpec) -> list[tuple[str, bytes, int]]:
    """(name, bytes, mode) of every file of the build context, sorted, plus the Dockerfile."""
    entries: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(spec.context, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_NAMES)
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            if path.is_symlink() or not path.is_file() or fname.endswith(".pyc"):
                continue
            rel = path.relative_to(spec.context).as_posix()
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            entries[rel] = (path.read_bytes(), mode)
    for name, data in spec.extra_files.items():
        entries[name] = (data, 0o644)
    entries["Dockerfile.grader"] = (spec.dockerfile.read_bytes(), 0o644)
    return [(name, data, mode) for name, (data, mode) in sorted(entries.items())]


def content_hash(spec: BuildSpec, files: list[tuple[str, bytes, int]] | None = None) -> str:
    """sha256 over the Dockerfile, context files, build args and network flag."""
    files = files if files is not None else _context_files(spec)
    digest = hashlib.sha256()
    digest.update(b"grader-image-v1\0")
    for name, data, mode in files:
        digest.update(f"{name}\0{mode:o}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    digest.update(json.dumps(dict(sorted(spec.build_args.items())), sort_keys=True).encode())
    digest.update(b"net" if spec.network else b"nonet")
    return digest.hexdigest()


def _context_tar(files: list[tuple[str, bytes, int]]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def image_tag(spec: BuildSpec, digest: str) -> str:
    return f"grader/{spec.name}:{digest[:20]}"


def find_cached(client: docker.DockerClient, spec: BuildSpec) -> tuple[str, str, str | None]:
    """(tag, content hash, image id or None when not built yet)."""
    digest = content_hash(spec)
    tag = image_tag(spec, digest)
    try:
        return tag, digest, client.images.get(tag).id
    except ImageNotFound:
        return tag, digest, None


#: Build arg handed to a build with a timeout (not part of the content hash): the seconds it
#: may take. A Dockerfile that runs untrusted build steps wraps them in
#: `timeout ${GRADER_BUILD_SECONDS}`, so the engine itself ends them (a classic-builder step
#: runs on even when its client has gone).
BUILD_SECONDS_ARG = "GRADER_BUILD_SECONDS"
_GRACE_SECONDS = 20.0


def build_image(client: docker.DockerClient, spec: BuildSpec,
                timeout: float | None = None) -> BuiltImage:
    """Build `spec` unless an image with its content hash exists. Raises ImageBuildError,
    also when the build takes longer than `timeout` seconds."""
    files = _context_files(spec)
    digest = content_hash(spec, files)
    tag = image_tag(spec, digest)
    with _lock_for(tag):
        started = time.monotonic()
        try:
            image = client.images.get(tag)
            return BuiltImage(tag=tag, id=image.id, content_hash=digest, built=False,
                              seconds=time.monotonic() - started)
        except ImageNotFound:
            pass
        log: list[str] = []
        args = dict(spec.build_args)
        if timeout is not None:
            args[BUILD_SECONDS_ARG] = str(max(1, int(timeout)))

        def build() -> str:
            try:
                stream = client.api.build(
                    fileobj=_context_tar(files), custom_context=True,
                    dockerfile="Dockerfile.grader", tag=tag, buildargs=args,
                    rm=True, forcerm=True, pull=False, decode=True,
                    network_mode="default" if spec.network else "none",
                    labels={LABEL_MANAGED: "1", LABEL_CONTENT_HASH: digest},
                )
                return _consume_build_stream(stream, log)
            except (APIError, BuildError) as exc:
                return str(exc)

        error = build() if timeout is None else _build_within(build, timeout)
        if error and timeout is not None and "returned a non-zero code: 124" in error:
            error = _budget_spent(timeout)
        if error:
            tail = "".join(log)[-8000:]
            raise ImageBuildError(f"building image {spec.name} failed: {error.strip()}", tail)
        image = client.images.get(tag)
        return BuiltImage(tag=tag, id=image.id, content_hash=digest, built=True,
                          seconds=time.monotonic() - started, log_tail="".join(log)[-4000:])


def _build_within(build: Callable[[], str], timeout: float) -> str:
    """Run `build`, waiting at most `timeout` seconds plus a grace for the engine to end the
    steps that `timeout ${GRADER_BUILD_SECONDS}` wraps; past that, give up on it."""
    answer: list[str] = []
    thread = threading.Thread(target=lambda: answer.append(build()), daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0) + _GRACE_SECONDS)
    if thread.is_alive():
        return _budget_spent(timeout)
    return answer[0] if answer else "the build ended without an answer"


def _budget_spent(timeout: float) -> str:
    return (f"stopped after {max(1, int(timeout))} s: the grading budget ran out while the "
            "submission's requirements were being installed")


def _consume_build_stream(stream: Iterator[dict], log: list[str]) -> str:
    for chunk in stream:
        if "stream" in chunk:
            log.append(chunk["stream"])
        if "error" in chunk:
            return str(chunk.get("error") or chunk.get("errorDetail"))
        if len(log) > 4000:
            del log[:2000]
    return ""


def resolve_base_image(client: docker.DockerClient,
                       settings: Settings) -> tuple[str, str]:
    """The id of GRADER_BASE_IMAGE, pulling it if it is not present. When the setting is left
    at its default and no registry answers, an offline-built base on the engine is used.
    EnvironmentProblem if none can be had, with the offline script as the fix.
    Returns (name, image id) of the base actually used."""
    name = settings.base_image
    try:
        return name, client.images.get(name).id
    except ImageNotFound:
        pass
    except APIError as exc:
        raise EnvironmentProblem(f"cannot inspect base image {name}: {exc}") from None
    repo, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
    try:
        return name, client.images.pull(repo, tag=tag or "latest").id
    except (APIError, docker.errors.DockerException) as exc:
        if not settings.base_image_explicit:
            try:
                return OFFLINE_BASE_IMAGE, client.images.get(OFFLINE_BASE_IMAGE).id
            except ImageNotFound:
                pass
        raise EnvironmentProblem(
            f"base image {name} is not on this engine and cannot be pulled "
            f"({str(exc).splitlines()[0][:160]}).",
            fix=(f"build one without a registry: bash scripts/build-offline-base.sh && "
                 f"export GRADER_BASE_IMAGE={OFFLINE_BASE_IMAGE}"),
        ) from None


def base_layer_spec(base_image_id: str, settings: Settings) -> BuildSpec:
    """grader's own layer (uid 1000, /work, venv, CA bundle) on top of the base image."""
    ca = settings.ca_bundle.read_bytes() if settings.ca_bundle else b""
    return BuildSpec(
        name="base", dockerfile=BASE_LAYER_DIR / "Dockerfile", context=BASE_LAYER_DIR,
        build_args={"BASE_IMAGE": base_image_id}, extra_files={"ca-bundle.crt": ca},
    )
