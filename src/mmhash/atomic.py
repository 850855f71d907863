"""Write outputs under a temporary name and rename them into place.

A rule that fails half-way must not leave a file that a later rule could read
as complete. Both helpers create the temporary path in the destination folder,
so the final ``os.replace`` is an atomic rename on the same file system.
"""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _default_mode(is_directory):
    """Permissions a plain open() or mkdir() would give under the current umask.

    mkstemp and mkdtemp create private (0600 and 0700) paths, which would make
    outputs unreadable to the other members of a shared project folder.
    """
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if is_directory else 0o666) & ~umask


def _remove_stale_temporaries(path):
    """Delete temporaries of ``path`` left by a run that was killed before it could clean up."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


@contextmanager
def atomic_file(path):
    """Yield a temporary path beside ``path`` and rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, _default_mode(is_directory=False))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_directory(path):
    """Yield an empty temporary folder beside ``path`` and rename it to ``path`` on success.

    An existing folder at ``path`` is replaced only after the new one is complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, _default_mode(is_directory=True))
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_json(path, data):
    """Write ``data`` as indented JSON to ``path`` atomically."""
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_csv(path, frame):
    """Write a pandas DataFrame to ``path`` as CSV atomically, without the index."""
    with atomic_file(path) as tmp:
        frame.to_csv(tmp, index=False)
