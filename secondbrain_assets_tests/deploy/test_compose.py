"""docker/compose.yaml and docker/Dockerfile: no Docker engine runs here, so check what can be.

`docker compose config` parses and interpolates the file exactly as Docker would; it needs only
the compose plugin, not an engine, and runs wherever the plugin is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from secondbrain_assets.lib.execution import QUEUES

DOCKER = Path(__file__).resolve().parents[2] / "docker"
COMPOSE = DOCKER / "compose.yaml"
SECRETS = {"MONGO_ROOT_PASSWORD": "m", "DAGSTER_PG_PASSWORD": "p"}


def _spec() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _platform(spec: dict) -> dict[str, dict]:
    return {n: s for n, s in spec["services"].items() if "platform" in s.get("profiles", [])}


def test_platform_profile_has_the_whole_stack_and_one_worker_per_queue() -> None:
    spec = _spec()
    services = spec["services"]
    assert {"mongodb", "ollama"} <= set(services)
    assert not services["mongodb"].get("profiles"), "the store stays in the default profile"
    assert "mongosh" in services["mongodb"]["healthcheck"]["test"]
    platform = _platform(spec)
    assert {"postgres", "redis", "code-location", "webserver", "daemon"} <= set(platform)
    workers = {n: s for n, s in platform.items() if n.startswith("worker-")}
    queues = {s["command"][s["command"].index("--queues") + 1] for s in workers.values()}
    assert queues == set(QUEUES)
    gpu = workers["worker-gpu"]["command"]
    assert gpu[gpu.index("--concurrency") + 1] == "1", "one training per GPU"


def test_images_pinned_healthchecked_and_ports_on_loopback() -> None:
    spec = _spec()
    for name, service in spec["services"].items():
        image, _, tag = service["image"].partition(":")
        assert tag and tag != "latest" and tag[0].isdigit(), f"{name}: pin the image version"
        assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name}: loopback only"
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in spec["volumes"], f"{name}: named volumes only"


def test_every_dependency_exists_and_secrets_have_no_default() -> None:
    spec = _spec()
    services = spec["services"]
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on unknown {dep}"
    text = COMPOSE.read_text()
    for secret in SECRETS:
        uses = [line for line in text.splitlines() if f"${{{secret}" in line]
        assert uses and all(f"${{{secret}:?" in line for line in uses), secret
    env = _platform(spec)["daemon"]["environment"]
    assert env["SECONDBRAIN_EXECUTOR"] == "celery"
    assert env["SECONDBRAIN_CELERY_BROKER"].startswith("redis://redis:")


def test_dockerfile_installs_pinned_cpu_torch_and_runs_the_code_location() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile and "whl/cpu" in dockerfile
    assert "-c constraints.txt" in dockerfile
    commands = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    assert not any("playwright install" in c or "crawl4ai-setup" in c for c in commands)
    assert '"-m", "secondbrain_assets.definitions"' in dockerfile
    workspace = yaml.safe_load((DOCKER / "workspace.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert server["host"] == "code-location"
    assert f'"-p", "{server["port"]}"' in dockerfile


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="the docker compose plugin is not installed (no Debian package offers compose v2)",
)
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--profile", "platform", "config", "-q"],
        capture_output=True,
        text=True,
        env={**SECRETS, "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
