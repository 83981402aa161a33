"""The sandbox's promises, each shown with a real container."""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.engine import RunSpec
from grader.sandbox.lifecycle import LABEL_SESSION, leftovers
from grader.sandbox.limits import Limits


def py(code: str) -> list[str]:
    return ["python", "-c", textwrap.dedent(code)]


def bridge_gateway(client: object) -> str:
    config = client.networks.get("bridge").attrs["IPAM"]["Config"][0]  # type: ignore[attr-defined]
    if config.get("Gateway"):
        return str(config["Gateway"])
    return str(next(ipaddress.ip_network(config["Subnet"]).hosts()))  # docker0's own address


@pytest.fixture
def host_listener(docker_client: object):
    """A TCP listener on the host's docker bridge address (on this machine only)."""
    server = socket.socket()
    server.bind((bridge_gateway(docker_client), 0))
    server.listen(8)
    server.settimeout(0.5)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.sendall(b"hello from host\n")
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    server.close()
    thread.join(2)


CONNECT_PROBE = """
import json, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
result = {}
try:
    s = socket.create_connection((host, port), timeout=3)
    result["connect"] = s.recv(100).decode()
except OSError as exc:
    result["connect_error"] = f"{type(exc).__name__}: {exc}"
try:
    socket.getaddrinfo("pypi.org", 443)
    result["dns"] = "resolved"
except OSError as exc:
    result["dns_error"] = str(exc)
print(json.dumps(result))
"""


def test_network_connection_fails(sandbox: DockerSandbox, base_tag: str, limits: Limits,
                                  docker_client: object, host_listener: tuple[str, int]) -> None:
    host, port = host_listener
    # Control: the same probe on Docker's default bridge reaches the host listener, so a
    # failure below is the sandbox's doing, not a broken probe.
    control = docker_client.containers.run(  # type: ignore[attr-defined]
        base_tag, ["python", "-c", CONNECT_PROBE, host, str(port)], remove=True,
        labels={"grader.managed": "1", "grader.role": "test-control"})
    assert "hello from host" in json.loads(control)["connect"]

    result = sandbox.run(RunSpec(image=base_tag, limits=limits,
                                 command=["python", "-c", CONNECT_PROBE, host, str(port)]))
    assert result.ok, result.stderr.text()
    probe = json.loads(result.stdout.text())
    assert "connect" not in probe
    assert "unreachable" in probe["connect_error"].lower()
    assert "dns_error" in probe


def test_memory_cap_kills_and_is_reported(sandbox: DockerSandbox, base_tag: str,
                                          limits: Limits) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits, command=py("""
        blocks = []
        for _ in range(100):
            blocks.append(bytearray(32 * 1024 * 1024))  # 3.2 GB in all, cap is 128 MiB
        print("survived")
    """)))
    assert result.outcome == "oom"
    assert "memory limit exceeded" in result.describe()
    assert "survived" not in result.stdout.text()


def test_fork_bomb_is_contained(sandbox: DockerSandbox, base_tag: str, limits: Limits,
                                docker_client: object) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits.merged(timeout_seconds=8),
                                 command=py("""
        import os, time
        children = 0
        while True:
            try:
                if os.fork() == 0:
                    time.sleep(60)
                children += 1
            except OSError as exc:
                print("fork refused after", children, "children:", exc, flush=True)
                time.sleep(60)
    """)))
    assert result.outcome == "timeout"
    assert "fork refused" in result.stdout.text()
    # The host is fine: it forks, and the engine answers.
    assert subprocess.run(["true"], check=False).returncode == 0
    assert docker_client.ping()  # type: ignore[attr-defined]


def test_sleep_is_killed_at_the_timeout(sandbox: DockerSandbox, base_tag: str,
                                        limits: Limits) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits.merged(timeout_seconds=2),
                                 command=["sleep", "1000"]))
    assert result.outcome == "timeout"
    assert result.exit_code is None
    assert "timed out" in result.describe()
    assert result.seconds < 60


def test_100mb_of_stdout_keeps_memory_flat(docker_client: object, base_tag: str,
                                           tmp_path: Path) -> None:
    # Measured in a fresh process so the peak RSS is this capture's alone.
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent(f"""
        import json, resource
        from grader.sandbox.limits import Limits
        from grader.sandbox.client import connect
        from grader.sandbox.docker_engine import DockerSandbox
        from grader.sandbox.engine import RunSpec
        client = connect()
        with DockerSandbox(client) as box:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            result = box.run(RunSpec(image={base_tag!r}, command=["python", "-c",
                "import sys\\nfor _ in range(100): sys.stdout.write('x' * 1048576)"],
                limits=Limits(output_kb=64, timeout_seconds=120)))
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"grew_kb": after - before, "total": result.stdout.total_bytes,
                          "kept": len(result.stdout.head) + len(result.stdout.tail),
                          "truncated": result.stdout.truncated,
                          "text_tail": result.stdout.text()[-300:],
                          "marker": "output truncated by grader" in result.stdout.text()}}))
    """))
    out = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True,
                         timeout=300, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["total"] == 100 * 1024 * 1024
    assert data["truncated"] and data["marker"]
    assert data["kept"] <= 64 * 1024
    assert data["grew_kb"] < 30 * 1024, f"grader's memory grew by {data['grew_kb']} KiB"


def test_writing_outside_the_work_dir_fails(sandbox: DockerSandbox, base_tag: str,
                                            limits: Limits) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits, command=py("""
        import json
        outcome = {}
        for path in ["/etc/evil", "/usr/evil", "/evil", "/opt/venv/evil", "/work/ok",
                     "/tmp/ok"]:
            try:
                with open(path, "w") as f:
                    f.write("x")
                outcome[path] = "written"
            except OSError as exc:
                outcome[path] = exc.strerror
        print(json.dumps(outcome))
    """), collect={"ok": 10}))
    outcome = json.loads(result.stdout.text())
    for path in ["/etc/evil", "/usr/evil", "/evil", "/opt/venv/evil"]:
        assert outcome[path] != "written", path
    assert outcome["/work/ok"] == "written"
    assert outcome["/tmp/ok"] == "written"
    assert result.files == {"ok": b"x"}


def test_code_runs_as_non_root_without_capabilities(sandbox: DockerSandbox, base_tag: str,
                                                    limits: Limits) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits, command=py("""
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(json.dumps({"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),
                          "cap_eff": status["CapEff"].strip(),
                          "no_new_privs": status["NoNewPrivs"].strip()}))
    """)))
    facts = json.loads(result.stdout.text())
    assert facts["uid"] == facts["euid"] == 1000
    assert facts["gid"] == 1000
    assert int(facts["cap_eff"], 16) == 0
    assert facts["no_new_privs"] == "1"


def test_files_out_refuse_links_and_oversize(sandbox: DockerSandbox, base_tag: str,
                                             limits: Limits) -> None:
    result = sandbox.run(RunSpec(image=base_tag, limits=limits, command=py("""
        import os
        os.symlink("/etc/passwd", "link.json")
        open("big.json", "w").write("x" * 5000)
        open("fine.json", "w").write("{}")
    """), collect={"link.json": 10_000, "big.json": 1000, "fine.json": 100, "absent.json": 10}))
    assert result.files == {"fine.json": b"{}"}
    assert "link" in result.file_errors["link.json"]
    assert "cap" in result.file_errors["big.json"]
    assert result.file_errors["absent.json"] == "not found"


def test_internal_network_reaches_peers_and_nothing_else(
        sandbox: DockerSandbox, base_tag: str, limits: Limits, docker_client: object,
        host_listener: tuple[str, int]) -> None:
    network = sandbox.internal_network("test")
    service = sandbox.start(RunSpec(image=base_tag, limits=limits, network=network,
                                    alias="server", name_hint="server",
                                    files={"index.html": b"hello peer"},
                                    command=["python", "-m", "http.server", "8000"]))
    host, port = host_listener
    result = sandbox.run(RunSpec(image=base_tag, limits=limits, network=network, command=py(f"""
        import json, socket, time, urllib.request
        out = {{}}
        for _ in range(50):
            try:
                out["peer"] = urllib.request.urlopen("http://server:8000/index.html",
                                                     timeout=2).read().decode()
                break
            except OSError as exc:
                out["peer_error"] = str(exc)
                time.sleep(0.2)
        try:
            socket.create_connection(({host!r}, {port}), timeout=3)
            out["host"] = "reached"
        except OSError as exc:
            out["host_error"] = str(exc)
        try:  # no name outside the network resolves (no way out by DNS)
            out["dns"] = socket.getaddrinfo("pypi.org", 443)[0][4][0]
        except OSError as exc:
            out["dns_error"] = str(exc)
        print(json.dumps(out))
    """)))
    out = json.loads(result.stdout.text())
    assert out.get("peer") == "hello peer", out
    assert "host" not in out, out
    assert "dns" not in out, out
    assert service.running()


def test_session_cleans_up_after_an_exception(docker_client: object, base_tag: str,
                                              limits: Limits) -> None:
    box = DockerSandbox(docker_client)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="boom"), box:
        box.internal_network()
        box.start(RunSpec(image=base_tag, limits=limits, command=["sleep", "1000"]))
        assert leftovers(docker_client, f"{LABEL_SESSION}={box.session}")  # type: ignore[arg-type]
        raise RuntimeError("boom")
    assert leftovers(docker_client, f"{LABEL_SESSION}={box.session}") == []  # type: ignore[arg-type]


def test_filling_the_work_dir_stops_at_its_size(sandbox: DockerSandbox, base_tag: str,
                                                limits: Limits, docker_client: object) -> None:
    """A candidate writing without end gets ENOSPC at `work_mb`; nothing reaches the engine's
    disk, and the files written before are still collected."""
    small = limits.merged(work_mb=16, memory_mb=256)
    result = sandbox.run(RunSpec(image=base_tag, limits=small, command=py("""
        import json, os
        written, error = 0, None
        with open("/work/kept", "w") as f:
            f.write("kept")
        try:
            with open("/work/fill", "wb") as f:
                while written < 200 * 1024 * 1024:
                    f.write(b"x" * 1024 * 1024)
                    f.flush()
                    written += 1024 * 1024
        except OSError as exc:
            error = exc.strerror
        print(json.dumps({"written_mb": written // (1024 * 1024), "error": error}))
    """), collect={"kept": 10}))
    out = json.loads(result.stdout.text())
    assert out["error"] == "No space left on device", out
    assert out["written_mb"] <= 16, out
    assert result.files == {"kept": b"kept"}
    assert leftovers(docker_client, f"{LABEL_SESSION}={sandbox.session}") == []  # type: ignore[arg-type]


def test_a_restarted_service_keeps_its_work_files(sandbox: DockerSandbox, base_tag: str,
                                                  limits: Limits) -> None:
    """The work dir lives as long as the service, not as long as one start of it (a
    server's database must survive the restart of the persistence test)."""
    service = sandbox.start(RunSpec(image=base_tag, limits=limits, files={"seed": b"1"},
                                    command=["sh", "-c", "cat seed >> log; sleep 1000"]))

    def log_once_it_reads(expected: bytes) -> tuple[int, bytes]:
        """The log once it reads `expected`, or as it is after 15 s: each start's shell
        appends once it runs, which on a loaded machine is a while after start() returns."""
        deadline = time.monotonic() + 15
        code, output = service.exec(["cat", "log"])
        while (code, output) != (0, expected) and time.monotonic() < deadline:
            time.sleep(0.2)
            code, output = service.exec(["cat", "log"])
        return code, output

    # Restarted before the first shell appended, the log would read b"1" either way.
    assert log_once_it_reads(b"1") == (0, b"1")
    service.restart()
    assert log_once_it_reads(b"11") == (0, b"11")  # b"1": the work folder did not survive


def test_a_budgeted_build_is_cancelled_at_its_timeout(docker_client: object, base_tag: str,
                                                      tmp_path: Path) -> None:
    """A submission's requirements build that would run for ten minutes stops at the grading
    budget (its steps are wrapped in `timeout ${GRADER_BUILD_SECONDS}`, as the dependency
    layer's are), with that cause in the error, and leaves no build container."""
    from grader.errors import ImageBuildError
    from grader.sandbox import images
    from grader.sandbox.engine import BuildSpec

    (tmp_path / "Dockerfile").write_text(
        f"FROM {base_tag}\nARG GRADER_BUILD_SECONDS=3600\n"
        f"RUN timeout ${{GRADER_BUILD_SECONDS}} sleep 600 # {tmp_path.name}\n")
    spec = BuildSpec(name="hostile-build", dockerfile=tmp_path / "Dockerfile",
                     context=tmp_path, network=False, budgeted=True)
    with pytest.raises(ImageBuildError, match="grading budget ran out"):
        images.build_image(docker_client, spec, timeout=4)  # type: ignore[arg-type]
    for _ in range(20):  # the engine cancels the step and removes its container
        running = [c for c in docker_client.api.containers(all=True)  # type: ignore[attr-defined]
                   if "sleep 600" in str(c.get("Command", "")) and tmp_path.name in
                   str(c.get("Command", ""))]
        if not running:
            break
        time.sleep(1)
    assert running == [], running
