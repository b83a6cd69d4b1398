"""docker/compose.yaml cannot be run here (no Docker): check what can be checked statically."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[3] / "docker" / "compose.yaml"


def test_services_are_pinned_healthchecked_and_persistent() -> None:
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert set(services) == {"mongodb", "ollama"}
    for name, service in services.items():
        image, _, tag = service["image"].partition(":")
        assert tag and tag != "latest" and tag[0].isdigit(), f"{name}: pin the image version"
        assert service["healthcheck"]["test"][0] == "CMD"
        volume = service["volumes"][0].split(":")[0]
        assert volume in spec["volumes"], f"{name}: data must live in a named volume"
        assert all(p.startswith("127.0.0.1:") for p in service["ports"]), "loopback only"
    env = services["mongodb"]["environment"]
    assert "?" in env["MONGO_INITDB_ROOT_PASSWORD"]  # required from the environment, no default
    assert "mongosh" in services["mongodb"]["healthcheck"]["test"]
