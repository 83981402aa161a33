"""A fake of the sandbox engine for unit tests of the tracks: one-shot runs only (each test
module says what a run leaves by defining `run`), images taken as already built, no service or
network. Integration tests use the real Docker engine; these sit beside them."""

from __future__ import annotations

from grader.sandbox.engine import BuildSpec, BuiltImage, Network, RunSpec, Sandbox, Service


class OneShotSandbox(Sandbox):
    """Subclasses define `run(spec)`."""

    def ensure_image(self, spec: BuildSpec) -> BuiltImage:
        return BuiltImage(tag="fake:1", id="sha256:fake", content_hash="x", built=False,
                          seconds=0)

    def start(self, spec: RunSpec) -> Service:
        raise NotImplementedError("this fake runs one-shot containers only")

    def internal_network(self, name_hint: str = "net") -> Network:
        raise NotImplementedError("this fake runs one-shot containers only")

    def close(self) -> None:
        pass
