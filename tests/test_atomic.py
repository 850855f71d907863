"""Atomic outputs: nothing is left at the destination when writing fails."""

import os

import pytest

from mmhash.atomic import atomic_directory, atomic_file


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_directory_keeps_previous_version(tmp_path):
    target = tmp_path / "store"
    with atomic_directory(target) as tmp:
        (tmp / "a.npy").write_text("v1")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as tmp:
            (tmp / "a.npy").write_text("v2")
            raise RuntimeError("interrupted")
    assert (target / "a.npy").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_outputs_get_umask_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        with atomic_file(tmp_path / "f.json") as tmp:
            tmp.write_text("{}")
        with atomic_directory(tmp_path / "d") as tmp:
            pass
    finally:
        os.umask(umask)
    assert (tmp_path / "f.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_stale_temporaries_are_removed(tmp_path):
    # What a SIGKILL during a write leaves behind.
    (tmp_path / ".store.abc123.tmp").mkdir()
    (tmp_path / ".out.csv.xyz.tmp").write_text("half")
    with atomic_directory(tmp_path / "store"):
        pass
    with atomic_file(tmp_path / "out.csv") as tmp:
        tmp.write_text("done")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "store"]
