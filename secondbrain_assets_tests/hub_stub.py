"""A local stand-in of the Hugging Face Hub API on 127.0.0.1, for push tests (no network here).

It speaks what `huggingface_hub` 2.x uses to create a repo and commit files (ARCHITECTURE.md
section 9): repo create / info / revision, validate-yaml, preupload, NDJSON commit, LFS batch +
PUT, tree, paths-info and resolve. Files are kept in memory so a test can assert what arrived.
Use the `hub_stub` fixture (it also lifts HF_HUB_OFFLINE inside huggingface_hub for the test).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import pytest

_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
_LFS_SUFFIXES = (".parquet", ".arrow", ".safetensors", ".bin", ".pt", ".gguf", ".zip")
_REPO = r"(?P<repo>[\w.-]+/[\w.-]+)"
_API = re.compile(rf"^/api/(?P<type>model|dataset|space)s/{_REPO}(?P<rest>/.*)?$")
_LFS = re.compile(rf"^/(?P<prefix>datasets/|spaces/)?{_REPO}\.git/info/lfs/objects/batch$")
_RESOLVE = re.compile(
    rf"^/(?P<prefix>datasets/|spaces/)?{_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"
)


@dataclass
class StubRepo:
    repo_type: str
    repo_id: str
    private: bool
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[dict] = field(default_factory=list)

    @property
    def sha(self) -> str:
        return hashlib.sha1(json.dumps(self.commits, sort_keys=True).encode()).hexdigest()


@dataclass
class HubStub:
    """State of the stand-in: repos, LFS objects, every request (method, path, had token)."""

    url: str = ""
    repos: dict[tuple[str, str], StubRepo] = field(default_factory=dict)
    lfs: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, bool]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)

    def repo(self, repo_id: str, repo_type: str = "dataset") -> StubRepo:
        return self.repos[(repo_type, repo_id)]


def _handler(stub: HubStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            return

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, body: object = None, headers: dict | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _record(self) -> None:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                stub.tokens.add(auth[7:])
            stub.requests.append((self.command, self.path, bool(auth)))

        def _missing(self, code: str = "RepoNotFound") -> None:
            self._send(404, {"error": code}, {"X-Error-Code": code})

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            self._record()
            path = unquote(urlparse(self.path).path)
            if match := _RESOLVE.match(path):
                repo_type = (match["prefix"] or "model/").rstrip("s/") or "model"
                repo = stub.repos.get((repo_type, match["repo"]))
                if repo is None:
                    return self._missing()
                if match["path"] not in repo.files:
                    return self._missing("EntryNotFound")
                data = repo.files[match["path"]]
                etag = f'"{hashlib.sha256(data).hexdigest()}"'
                return self._send(200, data, {"ETag": etag, "X-Repo-Commit": repo.sha})
            match = _API.match(path)
            if not match:
                return self._send(404, {"error": f"stub: no route for GET {path}"})
            repo = stub.repos.get((match["type"], match["repo"]))
            if repo is None:
                return self._missing()
            rest = match["rest"] or ""
            if rest == "" or rest.startswith("/revision/"):
                return self._send(200, _info(repo))
            if tree := re.match(r"^/tree/[^/]+/?(?P<sub>.*)$", rest):
                entries = _tree(repo, tree["sub"])
                return (
                    self._send(200, entries)
                    if entries is not None
                    else self._missing("EntryNotFound")
                )
            return self._send(404, {"error": f"stub: no route for GET {path}"})

        def do_PUT(self) -> None:
            self._record()
            data = self._body()
            oid = self.path.rsplit("/", 1)[-1]
            if hashlib.sha256(data).hexdigest() != oid:
                return self._send(400, {"error": "sha256 mismatch"})
            stub.lfs[oid] = data
            self._send(200, {})

        def do_POST(self) -> None:
            self._record()
            path = unquote(urlparse(self.path).path)
            body = self._body()
            if path == "/api/repos/create":
                return self._create(json.loads(body))
            if path == "/api/validate-yaml":
                return self._send(200, {"errors": [], "warnings": []})
            if match := _LFS.match(path):
                return self._lfs_batch(json.loads(body))
            match = _API.match(path)
            if not match:
                return self._send(404, {"error": f"stub: no route for POST {path}"})
            repo = stub.repos.get((match["type"], match["repo"]))
            if repo is None:
                return self._missing()
            rest = match["rest"] or ""
            if rest.startswith("/preupload/"):
                files = json.loads(body)["files"]
                modes = [
                    {
                        "path": f["path"],
                        "shouldIgnore": False,
                        "uploadMode": "lfs" if f["path"].endswith(_LFS_SUFFIXES) else "regular",
                    }
                    for f in files
                ]
                return self._send(200, {"files": modes, "commitOid": repo.sha})
            if rest.startswith("/commit/"):
                return self._commit(repo, body)
            if rest.startswith("/paths-info/"):
                wanted = json.loads(body).get("paths", []) if body.startswith(b"{") else []
                entries = [e for p in wanted for e in (_tree(repo, p) or []) if e["path"] == p]
                return self._send(200, entries)
            return self._send(404, {"error": f"stub: no route for POST {path}"})

        def _create(self, payload: dict) -> None:
            name = payload["name"]
            repo_id = f"{payload['organization']}/{name}" if payload.get("organization") else name
            repo_type = payload.get("type") or "model"
            url = f"{stub.url}/{_PREFIX[repo_type]}{repo_id}"
            if (repo_type, repo_id) in stub.repos:
                return self._send(409, {"error": "You already created this repo", "url": url})
            # huggingface_hub 2.x sends `visibility`; older clients sent `private`.
            private = payload.get("visibility") == "private" or bool(payload.get("private"))
            stub.repos[(repo_type, repo_id)] = StubRepo(repo_type, repo_id, private)
            self._send(200, {"url": url, "name": repo_id})

        def _lfs_batch(self, payload: dict) -> None:
            objects = []
            for obj in payload["objects"]:
                entry = {"oid": obj["oid"], "size": obj["size"]}
                if obj["oid"] not in stub.lfs:
                    entry["actions"] = {"upload": {"href": f"{stub.url}/lfs-upload/{obj['oid']}"}}
                objects.append(entry)
            self._send(200, {"transfer": "basic", "objects": objects})

        def _commit(self, repo: StubRepo, body: bytes) -> None:
            lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
            header = next((x["value"] for x in lines if x["key"] == "header"), {})
            changed = []
            for line in lines:
                value = line["value"]
                if line["key"] == "file":
                    repo.files[value["path"]] = base64.b64decode(value["content"])
                elif line["key"] == "lfsFile":
                    if value["oid"] not in stub.lfs:
                        return self._send(400, {"error": f"LFS object of {value['path']} missing"})
                    repo.files[value["path"]] = stub.lfs[value["oid"]]
                elif line["key"] == "deletedFile":
                    repo.files.pop(value["path"], None)
                else:
                    continue
                changed.append(value["path"])
            repo.commits.append({"summary": header.get("summary", ""), "files": changed})
            prefix = _PREFIX[repo.repo_type]
            url = f"{stub.url}/{prefix}{repo.repo_id}/commit/{repo.sha}"
            result = {"commitUrl": url, "commitOid": repo.sha, "success": True}
            self._send(200, {**result, "pullRequestUrl": None})

    return Handler


def _info(repo: StubRepo) -> dict:
    return {
        "id": repo.repo_id,
        "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
        "author": repo.repo_id.split("/")[0],
        "private": repo.private,
        "sha": repo.sha,
        "disabled": False,
        "gated": False,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": [{"rfilename": path} for path in sorted(repo.files)],
        "createdAt": "2026-01-01T00:00:00.000Z",
        "lastModified": "2026-01-01T00:00:00.000Z",
    }


def _tree(repo: StubRepo, sub: str) -> list[dict] | None:
    sub = sub.strip("/")
    entries, folders = [], set()
    for path, data in sorted(repo.files.items()):
        if sub and not path.startswith(sub + "/") and path != sub:
            continue
        rest = path[len(sub) + 1 :] if sub else path
        if "/" in rest:
            folders.add(f"{sub}/{rest.split('/')[0]}".strip("/"))
            continue
        entries.append(
            {"type": "file", "path": path, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
        )
    if sub and not entries and not folders:
        return None
    return [{"type": "directory", "path": p, "oid": ""} for p in sorted(folders)] + entries


@pytest.fixture
def hub_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStub]:
    """A running stand-in; huggingface_hub is let online (to it only) and told not to use xet."""
    import huggingface_hub.constants as constants

    stub = HubStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # HF_HUB_OFFLINE (set for every test) blocks even 127.0.0.1; xet would need a xet server.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setattr(constants, "ENDPOINT", stub.url)
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
