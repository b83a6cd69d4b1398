"""The sample export shipped in data/notion/ parses into a realistic workspace."""

from __future__ import annotations

import importlib.util
import io
import zipfile

from secondbrain_assets.core.notion import parse_export
from secondbrain_assets.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "notion" / "Export-2f6c1d0e-5a3b-4c8d-9e7f-1a2b3c4d5e6f.zip"


def test_sample_export_has_the_promised_shapes() -> None:
    result = parse_export(SAMPLE)
    docs = result.documents
    assert result.problems == []
    pages = [d for d in docs if d.kind == "page"]
    assert len(pages) >= 20
    [db] = [d for d in docs if d.kind == "database"]
    rows = [d for d in docs if d.kind == "database_row"]
    assert len(rows) >= 4 and all(r.parent_id == db.doc_id for r in rows)
    assert all(r.properties.get("Status") for r in rows)
    ids = {d.doc_id for d in docs}
    assert len(ids) == len(docs)
    assert sum(len(d.internal_links) for d in docs) >= 20
    assert all(set(d.internal_links) <= ids and not d.unresolved_links for d in docs)
    assert any(db.doc_id in d.internal_links for d in docs)
    assert sum(len(d.external_links) for d in docs) >= 20
    assert any(d.attachments and d.attachments[0].endswith(".png") for d in docs)
    assert "Ideas to Explore" in {d.title for d in docs if d.is_empty}
    inboxes = [d for d in docs if d.title == "Inbox"]
    assert len(inboxes) == 2 and inboxes[0].parent_id != inboxes[1].parent_id
    assert sum(1 for d in pages if d.content.count("\n\n") >= 2 and len(d.content) > 800) >= 6
    depth = max(d.path.count("/") for d in docs)
    assert depth >= 3


def _contents(data: bytes) -> dict[str, bytes]:
    """Names and uncompressed bytes, nested zips opened: compressed bytes vary with zlib builds."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            raw = zf.read(name)
            out.update(_contents(raw) if name.endswith(".zip") else {name: raw})
    return out


def test_sample_export_matches_its_readable_source() -> None:
    script = PROJECT_ROOT / "data" / "make_sample_export.py"
    spec = importlib.util.spec_from_file_location("make_sample_export", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build_zip()
    assert built == module.build_zip()  # deterministic
    assert _contents(built) == _contents(SAMPLE.read_bytes()), (
        "data/notion is out of date: run `python data/make_sample_export.py`"
    )
