"""The deployment files (deploy/compose.yaml, deploy/compose.worker.yaml, deploy/Dockerfile)
hold together: the YAML has the services docs/deploy.md describes, wired the way the queue
needs (a worker per Docker socket with the broker and the store, the web service grading
nothing itself, `grader migrate` once before both), every variable they interpolate is one
deploy/.env.example names and written in a form Compose understands, every grader setting
they pass is one the code reads, and the Dockerfile builds from the repository as it is.
`docker compose config` checks the files too where the Compose plugin is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
WORKER_COMPOSE = DEPLOY / "compose.worker.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENV_EXAMPLE = DEPLOY / ".env.example"
SOCKET = "/var/run/docker.sock:/var/run/docker.sock"
#: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?:(:?[-?])[^}]*)?\}")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a mapping"
    return data


def command(service: dict[str, Any]) -> list[str]:
    found = service.get("command")
    assert isinstance(found, list), "commands are lists (no shell between Compose and grader)"
    return [str(x) for x in found]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def grader_services(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in data["services"].items()
            if (svc.get("command") or [""])[0] == "grader"}


def workers(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in grader_services(data).items()
            if command(svc)[1] == "worker"}


def test_compose_has_the_services_of_an_installation() -> None:
    services = load(COMPOSE)["services"]
    assert {"postgres", "redis", "migrate", "web"} <= set(services)
    assert len(workers(load(COMPOSE))) >= 2, "N workers: at least two in the example"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "--appendonly" in command(services["redis"]), "queued messages survive a restart"


def test_migrate_runs_once_before_the_web_service_and_the_workers() -> None:
    data = load(COMPOSE)
    services = data["services"]
    assert command(services["migrate"]) == ["grader", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ["web", *workers(data)]:
        assert services[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully", name


def test_the_web_service_serves_on_every_interface_and_grades_nothing_itself() -> None:
    web = load(COMPOSE)["services"]["web"]
    argv = command(web)
    assert argv[:4] == ["grader", "serve", "--host", "0.0.0.0"]
    assert argv[argv.index("--workers") + 1] == "0"
    assert not any("docker.sock" in str(v) for v in web.get("volumes") or []), \
        "the web service needs no Docker engine"
    env = environment(web)
    assert env["GRADER_BROKER_URL"].startswith("redis://")
    assert env["GRADER_DATABASE_URL"].startswith("postgres://")


@pytest.mark.parametrize("path", [COMPOSE, WORKER_COMPOSE], ids=lambda p: p.name)
def test_every_worker_grades_with_its_hosts_engine_through_the_queue(path: Path) -> None:
    data = load(path)
    found = workers(data)
    assert found, f"{path.name}: no `grader worker` service"
    names = []
    for name, svc in found.items():
        argv = command(svc)
        assert "--name" in argv, f"{name}: a stable worker name (its cleanup relies on it)"
        names.append(argv[argv.index("--name") + 1])
        assert SOCKET in svc["volumes"], f"{name}: the host's Docker socket"
        assert svc.get("group_add"), f"{name}: the socket's group (the image is not root)"
        assert svc.get("hostname"), f"{name}: a fixed host name (part of NAME@HOST)"
        assert svc.get("init") is True, f"{name}: an init reaps and forwards SIGTERM"
        env = environment(svc)
        assert env["GRADER_BROKER_URL"].startswith("redis://"), name
        assert env["GRADER_DATABASE_URL"].startswith("postgres://"), name
        assert "GRADER_SECRET_KEY" in env, name
        mounted = {VARIABLE.sub("HOST", str(v)).split(":")[1] for v in svc["volumes"]}
        assert env["GRADER_CA_BUNDLE"] in mounted, f"{name}: the host's CA bundle, mounted"
    assert len(set(names)) == len(names), f"{path.name}: worker names must differ: {names}"


def test_the_urls_name_the_services_that_hold_them() -> None:
    data = load(COMPOSE)
    for name, svc in grader_services(data).items():
        env = environment(svc)
        assert "@postgres:5432/" in env["GRADER_DATABASE_URL"], name
        if "GRADER_BROKER_URL" in env:
            assert "@redis:6379/" in env["GRADER_BROKER_URL"], name


def test_redis_and_postgres_listen_on_loopback_unless_told_otherwise() -> None:
    services = load(COMPOSE)["services"]
    for name in ("postgres", "redis"):
        for port in services[name]["ports"]:
            assert str(port).startswith("${GRADER_SERVICES_BIND:-127.0.0.1}:"), (name, port)


def test_the_grader_services_share_one_image_built_from_the_repository() -> None:
    data = load(COMPOSE)
    images = {svc["image"] for svc in grader_services(data).values()}
    assert len(images) == 1, images
    assert next(iter(images)).startswith("${GRADER_IMAGE"), "the team's registry image"
    for name, svc in grader_services(data).items():
        build = svc["build"]
        context = (DEPLOY / build["context"]).resolve()
        assert context == ROOT, name
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE, name
    worker_image = next(iter(workers(load(WORKER_COMPOSE)).values()))
    assert "build" not in worker_image, "another host pulls the image, it does not build it"
    assert worker_image["image"].startswith("${GRADER_IMAGE:?")


def test_the_dockerfile_installs_grader_from_the_repository_on_python_312_slim() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert lines[0] == "FROM python:3.12-slim"
    assert any(re.match(r"RUN pip install \.( |$)", line) for line in lines)
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    users = [line for line in lines if line.startswith("USER ")]
    assert users and users[-1] != "USER root", "the services do not run as root"
    assert "GRADER_CHALLENGES_PATH" in text, "the workers find the challenges by id"


def _interpolated(path: Path) -> list[tuple[str, str]]:
    """(variable, how) for every ${...} in `path`; fails on a lone `$` Compose would read."""
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    stripped = VARIABLE.sub("", body.replace("$$", ""))
    assert "$" not in stripped, f"{path.name}: a `$` that is neither $$ nor ${{NAME...}}"
    return [(m.group(1), m.group(2) or "") for m in VARIABLE.finditer(body.replace("$$", ""))]


@pytest.mark.parametrize("path", [COMPOSE, WORKER_COMPOSE], ids=lambda p: p.name)
def test_every_variable_is_one_the_example_env_file_names(path: Path) -> None:
    named = set(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8")))
    optional = {"GRADER_HTTP_BIND", "GRADER_HTTP_PORT", "FLOWER_BASIC_AUTH",
                "GRADER_SERVICES_HOST", "GRADER_WORKER_NAME"}
    for name, _how in _interpolated(path):
        assert name in named | optional, f"{path.name}: ${{{name}}} is not in .env.example"
    required = {name for name, how in _interpolated(path) if how.endswith("?")}
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "GRADER_SECRET_KEY"} <= required, \
        "no default password: Compose refuses to start without them"


def test_every_grader_setting_passed_is_one_the_code_reads() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "grader").rglob("*.py"))
    for path in (COMPOSE, WORKER_COMPOSE):
        for name, svc in grader_services(load(path)).items():
            for key in environment(svc):
                if key.startswith("GRADER_"):
                    assert f'"{key}"' in code, f"{path.name} {name}: grader never reads {key}"


def test_the_deploy_doc_names_every_setting_of_the_queue() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    config = (ROOT / "grader" / "jobs" / "config.py").read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r'"(GRADER_[A-Z_]+)"', config))):
        assert f"`{name}`" in doc, f"docs/deploy.md does not explain {name}"


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the docker compose plugin is not installed")
@pytest.mark.parametrize("path", [COMPOSE, WORKER_COMPOSE], ids=lambda p: p.name)
def test_docker_compose_accepts_the_file(path: Path, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(ENV_EXAMPLE.read_text(encoding="utf-8")
                   + "GRADER_SERVICES_HOST=10.0.0.2\nGRADER_WORKER_NAME=host-b\n")
    done = subprocess.run(["docker", "compose", "--env-file", str(env), "-f", str(path),
                           "config", "--quiet"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
