"""Start `dagster dev` for a test and stop exactly what was started.

`dagster dev` launched from a background process inherits ignored SIGINT/SIGTERM and then never
exits; the child resets both to their defaults and gets its own process group, which the test
kills by PID when it is done.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def dagster_dev(
    workspace: Path, env: dict[str, str], log: Path, timeout: float = 120
) -> Iterator[str]:
    """Yield the base URL of a `dagster dev` serving `workspace` once its GraphQL API answers."""
    port = free_port()
    dagster = Path(sys.executable).with_name("dagster")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", str(workspace)],
            cwd=workspace.parent,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_reset_signals,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process, log, timeout)
        yield url
    finally:
        _stop(process)


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    query = {"query": "{ repositoriesOrError { __typename } }"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited early:\n{log.read_text()[-3000:]}")
        try:
            answer = httpx.post(f"{url}/graphql", json=query, timeout=2)
            if answer.status_code == 200 and "RepositoryConnection" in answer.text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"dagster dev did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
