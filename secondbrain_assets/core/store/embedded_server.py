"""Start and stop a local MongoDB wire-protocol server (nx-27017) for the embedded default.

No `mongod` can be installed here, but nx-27017 (SQLite underneath) speaks the MongoDB wire
protocol, so the same pymongo code runs against it and against a real MongoDB. Several server
processes may share one data directory (SQLite in WAL mode), so every Dagster step process starts
its own on a free port and stops exactly the process it started, by PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from secondbrain_assets import settings

_HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port that was free a moment ago (the caller retries if someone takes it meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def default_store_dir() -> Path:
    """Where the embedded store keeps its SQLite files: `<data dir>/store`."""
    return settings.data_dir() / "store"


def find_executable(name: str) -> str:
    """The console script next to the running interpreter (a venv need not be activated)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(
            f"`{name}` is not installed in this environment; `pip install -e .` installs it "
            "(or set MONGODB_URI to use a real MongoDB)."
        )
    return found


class WireServer:
    """A server process we own: started on a free port, pinged until ready, stopped by PID.

    Subclasses say how to launch it (`command`). Use as a context manager.
    """

    name = "server"
    stop_timeout_s = 15.0

    def __init__(self, data_dir: Path, start_timeout_s: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        self.start_timeout_s = start_timeout_s
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self, port: int) -> Sequence[str]:
        raise NotImplementedError

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def uri(self) -> str:
        if self.port is None:
            raise RuntimeError(f"{self.name} is not running; call start() first.")
        return f"mongodb://{_HOST}:{self.port}/?directConnection=true"

    def start(self, attempts: int = 3) -> WireServer:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            blocker = exc.filename or self.data_dir
            raise RuntimeError(
                f"{self.name} cannot use {self.data_dir} as its data folder: {blocker} exists "
                "and is not a folder. Move that file away, or point the store elsewhere "
                "(SECONDBRAIN_DATA_DIR, or MONGODB_URI for a real MongoDB)."
            ) from exc
        last_error = ""
        for _ in range(attempts):  # another process may grab the free port before we bind it
            self.port = free_port()
            with open(self.data_dir / f"{self.name}.stdout", "ab") as out:
                self._proc = subprocess.Popen(
                    list(self.command(self.port)),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # a Ctrl-C in the terminal must not kill it mid-write
                )
            last_error = self._wait_ready()
            if not last_error:
                return self
            self.stop()
        raise RuntimeError(
            f"{self.name} did not start in {self.data_dir}: {last_error}. "
            f"See {self.log_path}; set MONGODB_URI to use a real MongoDB instead."
        )

    def _wait_ready(self) -> str:
        from pymongo import MongoClient  # imported here: only needed while starting

        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                return f"process exited with code {self._proc.returncode}"
            client: MongoClient = MongoClient(self.uri, serverSelectionTimeoutMS=250)
            try:
                client.admin.command("ping")
                return ""
            except Exception:  # not listening yet
                time.sleep(0.05)
            finally:
                client.close()
        return f"no answer to ping within {self.start_timeout_s:.0f} s"

    def stop(self) -> None:
        """Stop the process we started (SIGTERM, then SIGKILL after `stop_timeout_s`)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def __enter__(self) -> WireServer:
        return self if self._proc else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Nx27017Server(WireServer):
    """nx-27017 with one SQLite file per logical database under `data_dir`.

    Every flag is passed explicitly: the defaults put the log and PID files in /tmp and the port
    on 27017, which would collide between step processes and with a real MongoDB.
    """

    name = "nx"
    stop_timeout_s = 10.0

    def __init__(self, data_dir: Path | None = None, start_timeout_s: float = 30.0) -> None:
        super().__init__(data_dir or default_store_dir(), start_timeout_s)

    def command(self, port: int) -> Sequence[str]:
        return [
            find_executable("nx-27017"),
            "--data-dir",
            str(self.data_dir),
            "--host",
            _HOST,
            "-p",
            str(port),
            "--log-file",
            str(self.log_path),
            # One PID file per process: several step processes share the data dir.
            "--pid-file",
            str(self.data_dir / f"nx-{port}.pid"),
        ]
