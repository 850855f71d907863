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


@contextmanager
def atomic_file(path):
    """Yield a temporary path beside ``path`` and rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
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
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
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
