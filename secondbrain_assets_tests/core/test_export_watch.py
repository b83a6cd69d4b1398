"""The sensor's decisions: new, changed, touched, settling and vanished exports."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from secondbrain_assets.core.export_watch import dump_state, load_state, scan_exports
from secondbrain_assets.core.exports import discover_exports, find_export, partition_key_for


def _zip(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Page 0123456789abcdef0123456789abcdef.md", text)
    old = time.time() - 60
    os.utime(path, (old, old))
    return path


def test_partition_keys_are_stable_and_safe() -> None:
    assert partition_key_for(Path("Export-2f6c1d0e-5a3b.zip")) == "export-2f6c1d0e-5a3b"
    assert partition_key_for(Path("My Notes (Work)")) == "my-notes-work-dir"
    long_key = partition_key_for(Path("ä" * 10 + "x" * 300 + ".zip"))
    assert len(long_key) <= 64 and long_key == partition_key_for(
        Path("ä" * 10 + "x" * 300 + ".zip")
    )


def test_new_export_is_reported_once(tmp_path: Path) -> None:
    _zip(tmp_path / "Export-a.zip", "# A")
    first = scan_exports(tmp_path, {}, settle_seconds=5)
    assert [key for key, _ in first.changed] == ["export-a"]
    second = scan_exports(tmp_path, load_state(dump_state(first.state)), settle_seconds=5)
    assert second.changed == [] and second.unchanged == 1


def test_touched_but_identical_export_is_not_rerun(tmp_path: Path) -> None:
    path = _zip(tmp_path / "Export-a.zip", "# A")
    state = scan_exports(tmp_path, {}, settle_seconds=0).state
    os.utime(path, None)  # new mtime, same bytes
    result = scan_exports(tmp_path, state, settle_seconds=0)
    assert result.changed == [] and result.unchanged == 1
    assert result.state["export-a"][0] != state["export-a"][0]  # signature refreshed


def test_changed_content_gets_a_new_run_key(tmp_path: Path) -> None:
    path = _zip(tmp_path / "Export-a.zip", "# A")
    first = scan_exports(tmp_path, {}, settle_seconds=0)
    _zip(path, "# A, edited")
    second = scan_exports(tmp_path, first.state, settle_seconds=0)
    (key, fp1), (_, fp2) = first.changed[0], second.changed[0]
    assert key == "export-a" and fp1 != fp2
    assert first.run_key(key, fp1) != second.run_key(key, fp2)


def test_export_still_being_written_waits(tmp_path: Path) -> None:
    path = tmp_path / "Export-b.zip"
    path.write_bytes(b"PK partial")  # fresh mtime
    result = scan_exports(tmp_path, {}, settle_seconds=30)
    assert result.changed == [] and result.settling == ["export-b"]
    later = scan_exports(tmp_path, result.state, settle_seconds=30, now=time.time() + 60)
    assert [key for key, _ in later.changed] == ["export-b"]


def test_folder_exports_are_fingerprinted_by_content(tmp_path: Path) -> None:
    folder = tmp_path / "Workspace"
    (folder / "Sub").mkdir(parents=True)
    page = folder / "Sub" / "Note 0123456789abcdef0123456789abcdef.md"
    page.write_text("# Note")
    state = scan_exports(tmp_path, {}, settle_seconds=0).state
    page.write_text("# Note, changed")
    result = scan_exports(tmp_path, state, settle_seconds=0)
    assert [key for key, _ in result.changed] == ["workspace-dir"]


def test_vanished_exports_are_listed_not_forgotten_silently(tmp_path: Path) -> None:
    path = _zip(tmp_path / "Export-a.zip", "# A")
    state = scan_exports(tmp_path, {}, settle_seconds=0).state
    path.unlink()
    assert scan_exports(tmp_path, state, settle_seconds=0).vanished == ["export-a"]


def test_garbage_cursor_only_costs_a_rehash(tmp_path: Path) -> None:
    _zip(tmp_path / "Export-a.zip", "# A")
    assert load_state("{not json") == {}
    assert len(scan_exports(tmp_path, load_state("[1,2]"), settle_seconds=0).changed) == 1


def test_find_export_names_what_exists(tmp_path: Path) -> None:
    _zip(tmp_path / "Export-a.zip", "# A")
    (tmp_path / ".hidden").mkdir()
    assert [r.key for r in discover_exports(tmp_path)] == ["export-a"]
    assert find_export(tmp_path, "export-a").is_zip
    try:
        find_export(tmp_path, "export-zz")
    except FileNotFoundError as error:
        assert "export-zz" in str(error) and "export-a" in str(error)
    else:
        raise AssertionError("a missing export must raise")


def test_colliding_names_get_unique_deterministic_keys_and_all_are_ingested(
    tmp_path: Path,
) -> None:
    names = ["Export A.zip", "Export-A.zip", "export_a.zip", "EXPORT  A.zip"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes(f"zip {i}".encode())
    refs = discover_exports(tmp_path)
    keys = [r.key for r in refs]
    assert len(set(keys)) == len(names) == len(refs)  # no export dropped
    by_name = {r.path.name: r.key for r in refs}
    assert by_name[min(names)] == "export-a"  # first name in code-point order keeps the key
    assert all(k == "export-a" or k.startswith("export-a-") for k in keys)
    assert discover_exports(tmp_path) == refs  # deterministic
    for ref in refs:
        assert find_export(tmp_path, ref.key).path == ref.path
    result = scan_exports(tmp_path, {}, settle_seconds=0, now=time.time() + 60)
    assert sorted(k for k, _ in result.changed) == sorted(keys)  # one run per export


def test_folder_with_a_dangling_link_and_an_unreadable_file_does_not_stop_the_sensor(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "Export-f"
    folder.mkdir()
    (folder / "Page 0123456789abcdef0123456789abcdef.md").write_text("# Page")
    (folder / "gone.md").symlink_to(tmp_path / "nowhere.md")
    locked = folder / "locked.md"
    locked.write_text("# Locked")
    locked.chmod(0)
    old = time.time() - 60
    for path in (folder, *folder.iterdir()):
        os.utime(path, (old, old), follow_symlinks=False)
    result = scan_exports(tmp_path, {}, settle_seconds=5)
    assert [key for key, _ in result.changed] == ["export-f-dir"]
