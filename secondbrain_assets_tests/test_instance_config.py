"""dagster.yaml (SQLite, local) and dagster.production.yaml (PostgreSQL, queued runs, pools)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from secondbrain_assets.settings import PROJECT_ROOT

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


def _instance_from(
    yaml_name: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / yaml_name, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return dg.DagsterInstance.get()


@dg.asset
def _probe() -> int:
    return 1


def test_local_instance_is_sqlite_with_pool_defaults(tmp_path: Path, monkeypatch) -> None:
    instance = _instance_from("dagster.yaml", tmp_path / "home", monkeypatch)
    assert type(instance.run_storage).__name__ == "SqliteRunStorage"
    config = instance.get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1
    assert config.run_queue_config.max_concurrent_runs == 2
    assert not instance.get_settings("telemetry")["enabled"]


@pytest.fixture
def postgres_db() -> Iterator[str]:
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(connect_timeout=3, **PG)
    except psycopg2.OperationalError as error:
        pytest.skip(
            f"PostgreSQL not reachable on 127.0.0.1:5432 ({error}); start it to run this test"
        )
    admin.autocommit = True
    name = f"secondbrain_test_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_production_instance_runs_on_postgres(
    postgres_db: str, tmp_path: Path, monkeypatch
) -> None:
    for key, value in {
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "USER": "postgres",
        "PASSWORD": "",
        "DB": postgres_db,
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{key}", value)
    instance = _instance_from("dagster.production.yaml", tmp_path / "home", monkeypatch)
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 2

    instance.add_dynamic_partitions("notion_exports", ["export-a"])
    result = dg.materialize([_probe], instance=instance)
    assert result.success

    import psycopg2

    with psycopg2.connect(**{**PG, "dbname": postgres_db}) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM runs WHERE run_id = %s", (result.run_id,))
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT partition FROM dynamic_partitions")
        assert [row[0] for row in cursor.fetchall()] == ["export-a"]
    instance.dispose()
