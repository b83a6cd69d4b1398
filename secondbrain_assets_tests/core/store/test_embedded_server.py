"""The embedded nx-27017 server: started on a free port, shared data dir, stopped by PID."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from secondbrain_assets.core.store.embedded_server import Nx27017Server
from secondbrain_assets.core.store.writer import StoreWriteError, sync_partition
from secondbrain_assets_tests.core.store.engines import documents


def test_two_servers_share_one_data_dir_and_stop_by_pid(tmp_path: Path) -> None:
    with Nx27017Server(tmp_path) as first, Nx27017Server(tmp_path) as second:
        assert first.port != second.port
        pids = [first.pid, second.pid]
        a: MongoClient = MongoClient(first.uri)
        b: MongoClient = MongoClient(second.uri)
        a.db.docs.insert_one({"_id": "x", "from": "first"})
        assert b.db.docs.find_one({"_id": "x"}) == {"_id": "x", "from": "first"}
        a.close()
        b.close()
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in pids)
    assert (tmp_path / "db.db").exists()  # one SQLite file per logical database


def test_default_data_dir_is_under_the_project_data_dir(data_dir: Path) -> None:
    server = Nx27017Server()
    assert server.data_dir == data_dir / "store"


def test_a_server_killed_mid_load_then_rerun_converges(tmp_path: Path) -> None:
    ids = [f"{i:032x}" for i in range(3000)]
    docs = documents("A", ids, content_size=2000)
    server = Nx27017Server(tmp_path).start()
    client: MongoClient = MongoClient(server.uri, serverSelectionTimeoutMS=1000)
    coll = client.db.docs
    failure: list[BaseException] = []

    def load() -> None:
        try:
            sync_partition(coll, "A", docs, batch_size=100)
        except (PyMongoError, StoreWriteError) as err:
            failure.append(err)

    loader = threading.Thread(target=load)
    loader.start()
    deadline = time.monotonic() + 30
    probe: MongoClient = MongoClient(server.uri)
    while probe.db.docs.estimated_document_count() < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    probe.close()
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)  # the store dies in the middle of the load
    loader.join(timeout=60)
    server.stop()
    client.close()
    assert failure, "the load should have failed when its server was killed"
    # Wrapped, naming the host and that a re-run converges (issue 9), not a raw AutoReconnect.
    assert isinstance(failure[0], StoreWriteError), repr(failure[0])
    assert "Re-running is safe" in str(failure[0]) and "127.0.0.1:" in str(failure[0])

    with Nx27017Server(tmp_path) as again:
        fresh: MongoClient = MongoClient(again.uri)
        stored = fresh.db.docs.count_documents({})
        assert 0 < stored < len(ids)  # acknowledged batches survived the kill
        result = sync_partition(fresh.db.docs, "A", docs, batch_size=500)
        assert result.inserted == len(ids) - stored
        got = [d["_id"] for d in fresh.db.docs.find({}, {"_id": 1})]
        assert sorted(got) == ids  # every id exactly once
        assert sync_partition(fresh.db.docs, "A", docs).wrote_nothing
        fresh.close()


def test_start_failure_says_where_to_look(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = Nx27017Server(tmp_path, start_timeout_s=2)
    monkeypatch.setattr(server, "command", lambda port: ["false"])
    with pytest.raises(RuntimeError, match="MONGODB_URI"):
        server.start(attempts=1)


def test_data_folder_that_is_a_file_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="exists and is not a folder") as error:
        Nx27017Server(blocker).start()
    assert "SECONDBRAIN_DATA_DIR" in str(error.value)
    with pytest.raises(RuntimeError, match="not a folder"):
        Nx27017Server(blocker / "nested").start()
