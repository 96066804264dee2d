"""A local cache of parsed and schema-checked data files, keyed on their exact content.

Parsing YAML and running JSON Schema are the slow steps once the data grows to
thousands of records. Both depend only on a file's bytes (and on the schemas
and this package's code), so their results are stored under a hash of those
inputs in ``.cache/aiguide/`` and reused until any input changes. Cross-record
checks always run afresh. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import PACKAGE_DIR

CACHE_DIR_NAME = Path(".cache") / "aiguide"
_CODE_FILES = (
    "loader.py",
    "schemas.py",
    "references.py",
    "regulation_checks.py",
    "validate.py",
    "problems.py",
    "cache.py",
)


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """Changes whenever the code that produces cached results changes."""
    digest = hashlib.sha256()
    for name in _CODE_FILES:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.digest()


def content_key(*parts: bytes) -> str:
    digest = hashlib.sha256(code_fingerprint())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Cache:
    """Stores values under content keys: plain data with marshal (fast), anything else with pickle."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def _path(self, kind: str, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key}.{kind}"

    def get(self, kind: str, key: str) -> Any | None:
        path = self._path(kind, key)
        if path is None or not path.is_file():
            return None
        try:
            raw = path.read_bytes()
            return marshal.loads(raw) if kind.endswith("marshal") else pickle.loads(raw)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            return None  # unreadable entry: compute afresh

    def put(self, kind: str, key: str, value: Any) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            payload = marshal.dumps(value) if kind.endswith("marshal") else pickle.dumps(value, protocol=5)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.replace(temporary, path)
        except OSError:
            return  # a read-only checkout simply runs without a cache


def project_cache(project_dir: Path) -> Cache:
    """The cache of a project, or none when AIGUIDE_NO_CACHE is set."""
    if os.environ.get("AIGUIDE_NO_CACHE"):
        return Cache(None)
    return Cache(project_dir / CACHE_DIR_NAME)
