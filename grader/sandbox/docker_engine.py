"""The Sandbox interface implemented with the Docker SDK for Python (no `docker` CLI).

Every container gets grader/sandbox/hardening.py's settings, and its work dir is a tmpfs volume
of `limits.work_mb` kept mounted by a holder container (grader/sandbox/workdir.py; no host path
is ever mounted). Files go in with put_archive before start and come out with get_archive after
the container stopped. Output is streamed through a cap. The wall-clock timeout and the grading
budget are enforced from the host; a submission's own image build is bounded by the budget, a
challenge's images are built without charging it. Everything is labelled and removed by
`close()`.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable

import docker
import requests
from docker.errors import APIError, NotFound
from docker.models.containers import Container

from grader.errors import ImageBuildError, SandboxError
from grader.sandbox import archive, images, workdir
from grader.sandbox.capture import CapturedOutput, OutputCap
from grader.sandbox.engine import (
    BuildSpec,
    BuiltImage,
    Network,
    Outcome,
    RunResult,
    RunSpec,
    Sandbox,
    Service,
)
from grader.sandbox.hardening import hardened_kwargs
from grader.sandbox.lifecycle import CANCEL, LABEL_SESSION, Cancelled, labels, remove_labelled
from grader.settings import Settings

_POLL_SECONDS = 1.0


class _OutputReader:
    """Reads a container's attached stdout/stderr in a thread, through two caps."""

    def __init__(self, container: Container, limit: int) -> None:
        self.stdout = OutputCap(limit)
        self.stderr = OutputCap(limit)
        self._stream = container.attach(stdout=True, stderr=True, stream=True, demux=True,
                                        logs=False)
        self._thread = threading.Thread(target=self._pump, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _pump(self) -> None:
        with contextlib.suppress(Exception):  # the stream ends, or breaks when the box dies
            for out, err in self._stream:
                if out:
                    self.stdout.feed(out)
                if err:
                    self.stderr.feed(err)

    def finish(self, timeout: float = 10.0) -> tuple[CapturedOutput, CapturedOutput]:
        self._thread.join(timeout)
        if self._thread.is_alive():  # engine kept the stream open: close it
            with contextlib.suppress(Exception):
                self._stream.close()
            self._thread.join(2)
        return self.stdout.result(), self.stderr.result()


class DockerSandbox(Sandbox):
    """One grading session on a Docker engine. Use as a context manager."""

    def __init__(self, client: docker.DockerClient, settings: Settings | None = None,
                 session: str | None = None, deadline: float | None = None) -> None:
        """deadline: a time.monotonic() after which no run starts and every running one is
        cut (a submission's grading budget); None: no budget."""
        self.client = client
        self.deadline = deadline
        self.settings = settings or Settings.from_env()
        self.session = session or uuid.uuid4().hex[:12]
        self._base_tag: str | None = None
        self.base_image_name = self.settings.base_image
        self.images_used: dict[str, str] = {}     # image name -> id, for the report
        self.images_built: list[str] = []          # names built (not cached) this session
        self._volumes: dict[str, workdir.WorkVolume] = {}  # container id -> its work volume
        self.unbudgeted_seconds = 0.0  # spent building challenge images (not charged)

    # -- images ---------------------------------------------------------------------------
    def base_layer(self) -> BuiltImage:
        """grader's base layer on GRADER_BASE_IMAGE, built once and cached."""
        self.base_image_name, base_id = images.resolve_base_image(self.client, self.settings)
        built = self._unbudgeted(lambda: images.build_image(
            self.client, images.base_layer_spec(base_id, self.settings)))
        self._base_tag = built.tag
        self._record("base", built)
        return built

    def _record(self, name: str, built: BuiltImage) -> None:
        self.images_used[name] = built.id
        if built.built and name not in self.images_built:
            self.images_built.append(name)

    def ensure_image(self, spec: BuildSpec) -> BuiltImage:
        """Build a challenge image FROM grader's base layer (passed as the BASE_IMAGE arg)."""
        if self._base_tag is None:
            self.base_layer()
        assert self._base_tag is not None
        args = {"BASE_IMAGE": self._base_tag, **spec.build_args}
        full = BuildSpec(name=spec.name, dockerfile=spec.dockerfile, context=spec.context,
                         build_args=args, extra_files=spec.extra_files, network=spec.network,
                         budgeted=spec.budgeted)
        if spec.budgeted:
            left = self._left()
            if left is not None and left <= 0:
                raise ImageBuildError("not built: the grading budget was spent", "")
            built = images.build_image(self.client, full, timeout=left)
        else:
            built = self._unbudgeted(lambda: images.build_image(self.client, full))
        self._record(spec.name, built)
        return built

    def _unbudgeted(self, build: Callable[[], BuiltImage]) -> BuiltImage:
        """Build a challenge's (or grader's) image without charging the submission being
        graded: the budget's deadline moves on by the build's time."""
        started = time.monotonic()
        try:
            return build()
        finally:
            spent = time.monotonic() - started
            self.unbudgeted_seconds += spent
            if self.deadline is not None:
                self.deadline += spent

    # -- networks -------------------------------------------------------------------------
    def internal_network(self, name_hint: str = "net") -> Network:
        """A bridge network with no way out: `internal` stops forwarding beyond it, and
        `inhibit_ipv4` leaves the host without an address on it. Without the latter, members
        reach every service listening on the host (through the bridge's gateway address, which
        is the host's own): seen with Docker 20.10, and caught by the integration tests."""
        net = self.client.networks.create(
            f"grader-{self.session}-{name_hint}-{uuid.uuid4().hex[:6]}", driver="bridge",
            internal=True, labels=labels(self.session, "network"), check_duplicate=True,
            options={"com.docker.network.bridge.inhibit_ipv4": "true"})
        return Network(name=net.name, id=net.id)

    # -- runs -----------------------------------------------------------------------------
    def _create(self, spec: RunSpec, role: str) -> Container:
        volume = workdir.create(self.client, image=spec.image, session=self.session,
                                name_hint=spec.name_hint, size_mb=spec.limits.work_mb,
                                target=spec.workdir)
        try:
            container = self.client.containers.create(
                **hardened_kwargs(spec, self.session, role, volume.name))
        except BaseException:
            volume.remove(self.client)
            raise
        self._volumes[str(container.id)] = volume
        if spec.files:
            try:
                ok = container.put_archive(spec.workdir, archive.build_tar(spec.files))
            except APIError as exc:
                self._remove(container)
                raise SandboxError(self._copy_refused(spec, exc)) from exc
            if not ok:
                self._remove(container)
                raise SandboxError(f"could not copy files into {container.name}")
        return container

    @staticmethod
    def _copy_refused(spec: RunSpec, exc: APIError) -> str:
        detail = str(exc.explanation or exc)
        if "no space" in detail.lower():
            return (f"the files handed to the sandbox do not fit its {spec.limits.work_mb} MiB "
                    "work folder (limits.work_mb)")
        return f"could not copy files into the sandbox: {detail}"

    def run(self, spec: RunSpec) -> RunResult:
        """Run `spec.command` to completion (or to its timeout) and return what happened.
        Raises Cancelled when grading is interrupted."""
        if CANCEL.is_set():
            raise Cancelled()
        left = self._left()
        if left is not None and left <= 0:
            empty = CapturedOutput(b"", b"", 0)
            return RunResult(outcome="budget", exit_code=None, seconds=0.0, stdout=empty,
                             stderr=empty, limits=spec.limits)
        container = self._create(spec, "run")
        try:
            reader = _OutputReader(container, spec.limits.output_kb * 1024)
            reader.start()
            started = time.monotonic()
            container.start()
            outcome: Outcome
            timeout = spec.limits.timeout_seconds
            cut = left is not None and left < timeout
            outcome, exit_code, processes = self._wait(
                container, min(timeout, left) if cut and left else timeout, spec.stop_when,
                spec.limits.pids)
            if cut and outcome == "timeout":
                outcome = "budget"
            if outcome == "cancelled":
                raise Cancelled()
            seconds = time.monotonic() - started
            stdout, stderr = reader.finish()
            if outcome == "exited" and self._oom_killed(container, exit_code):
                outcome = "oom"
            files, file_errors = self._collect(container, spec)
            return RunResult(outcome=outcome, exit_code=exit_code, seconds=seconds,
                             stdout=stdout, stderr=stderr, limits=spec.limits, files=files,
                             file_errors=file_errors, processes=processes)
        except KeyboardInterrupt:
            self._drop_connections()
            raise
        finally:
            self._remove(container)

    def _wait(self, container: Container, timeout: float,
              stop_when: Callable[[], bool] | None = None, pids_limit: int = 0,
              ) -> tuple[Outcome, int | None, tuple[int, int] | None]:
        """Wait for exit from the host; kill at the timeout, on cancellation or when
        `stop_when()` says so. At the timeout, the container's process count is read first
        (what was running when it was killed: a fork bomb says so)."""
        deadline = time.monotonic() + timeout
        while True:
            if CANCEL.is_set():
                self._kill(container)
                return "cancelled", None, None
            if stop_when is not None and stop_when():
                self._kill(container)
                return "stopped", None, None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                processes = process_count(container, pids_limit)
                self._kill(container)
                return "timeout", None, processes
            try:
                status = container.wait(timeout=min(_POLL_SECONDS, remaining) + 0.05)
                return "exited", int(status.get("StatusCode", -1)), None
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                continue

    def _kill(self, container: Container) -> None:
        with contextlib.suppress(NotFound, APIError):
            container.kill()
        with contextlib.suppress(Exception):
            container.wait(timeout=30)

    @staticmethod
    def _oom_killed(container: Container, exit_code: int | None) -> bool:
        with contextlib.suppress(NotFound, APIError):
            container.reload()
            if container.attrs.get("State", {}).get("OOMKilled"):
                return True
        return False

    def _collect(self, container: Container, spec: RunSpec) -> tuple[dict[str, bytes],
                                                                      dict[str, str]]:
        files: dict[str, bytes] = {}
        errors: dict[str, str] = {}
        for rel, cap in spec.collect.items():
            path = f"{spec.workdir.rstrip('/')}/{rel}"
            try:
                stream, stat = container.get_archive(path, chunk_size=64 * 1024)
            except NotFound:
                errors[rel] = "not found"
                continue
            except APIError as exc:
                errors[rel] = f"could not be read ({exc.explanation or exc})"
                continue
            if stat.get("linkTarget"):
                errors[rel] = "is a link (refused)"
                continue
            try:
                if rel.endswith("/"):  # a folder: its tar, read with archive.read_tar_files
                    files[rel] = archive.read_tree(stream, cap)
                else:
                    files[rel] = archive.read_single_file(stream, rel.split("/")[-1], cap)
            except archive.ArchiveRejected as exc:
                errors[rel] = str(exc)
        return files, errors

    def _remove(self, container: Container) -> None:
        with contextlib.suppress(NotFound, APIError, requests.exceptions.RequestException):
            container.remove(force=True, v=True)
        volume = self._volumes.pop(str(container.id), None)
        if volume is not None:
            volume.remove(self.client)

    def _left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def seconds_left(self) -> float | None:
        return self._left()

    # -- services -------------------------------------------------------------------------
    def start(self, spec: RunSpec) -> Service:
        """Start a long-running container (a candidate's server); `close()` removes it."""
        if CANCEL.is_set():
            raise Cancelled()
        container = self._create(spec, "service")
        container.start()
        return DockerService(self, container, spec)

    # -- cleanup --------------------------------------------------------------------------
    def _drop_connections(self) -> None:
        """An interrupted request can leave a half-read response on a pooled connection;
        the cleanup that follows must not reuse it. The client opens fresh ones on demand."""
        with contextlib.suppress(Exception):
            self.client.api.close()

    def __exit__(self, *exc: object) -> None:
        exc_type = exc[0] if exc else None
        if isinstance(exc_type, type) and issubclass(exc_type, KeyboardInterrupt):
            self._drop_connections()
        self.close()

    def close(self) -> None:
        """Remove every container, volume and network of this session; safe to call twice."""
        self._volumes.clear()
        remove_labelled(self.client, f"{LABEL_SESSION}={self.session}")


def process_count(container: Container, limit: int) -> tuple[int, int] | None:
    """(tasks, limit) of a running container, from one stats sample (`one_shot`: no second
    sample to wait for; the pids cgroup counts threads too). An engine too old for one-shot
    stats (API < 1.41) is asked for the process list instead, which leaves threads out: it
    can only say too few. None when the engine cannot say."""
    try:
        try:
            pids = container.stats(stream=False, one_shot=True).get("pids_stats")
            current = (pids or {}).get("current")
        except docker.errors.InvalidVersion:
            current = len(container.top().get("Processes") or [])
    except (NotFound, APIError, requests.exceptions.RequestException):
        return None
    if isinstance(current, bool) or not isinstance(current, int) or limit <= 0:
        return None
    return current, limit


class DockerService(Service):
    def __init__(self, sandbox: DockerSandbox, container: Container, spec: RunSpec) -> None:
        self._sandbox = sandbox
        self._container = container
        self._spec = spec
        self._started = time.monotonic()
        self.alias = spec.alias or container.name

    def running(self) -> bool:
        try:
            self._container.reload()
        except NotFound:
            return False
        return self._container.status == "running"

    def logs_tail(self, max_bytes: int = 16 * 1024) -> str:
        try:
            data = self._container.logs(stdout=True, stderr=True, tail=200)
        except (NotFound, APIError):
            return ""
        return data[-max_bytes:].decode("utf-8", errors="replace")

    def processes(self) -> tuple[int, int] | None:
        return process_count(self._container, self._spec.limits.pids)

    def restart(self) -> None:
        self._container.restart(timeout=5)
        self._started = time.monotonic()

    @property
    def container_id(self) -> str:
        return str(self._container.id)

    def exec(self, command: list[str]) -> tuple[int, bytes]:
        """Run a command in the running container (as its user, in its work dir)."""
        result = self._container.exec_run(command, workdir=self._spec.workdir, demux=False)
        return int(result.exit_code or 0), bytes(result.output or b"")

    def stop(self) -> RunResult:
        with contextlib.suppress(NotFound, APIError):
            self._container.stop(timeout=5)
        oom = DockerSandbox._oom_killed(self._container, None)
        exit_code = self._container.attrs.get("State", {}).get("ExitCode")
        logs = self.logs_tail(self._spec.limits.output_kb * 1024).encode()
        files, errors = self._sandbox._collect(self._container, self._spec)
        return RunResult(outcome="oom" if oom else "exited", exit_code=exit_code,
                         seconds=time.monotonic() - self._started,
                         stdout=CapturedOutput(logs, b"", len(logs)),
                         stderr=CapturedOutput(b"", b"", 0), limits=self._spec.limits,
                         files=files, file_errors=errors)
