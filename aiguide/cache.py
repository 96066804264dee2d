"""A local cache of parsed and schema-checked data files, keyed on their exact content.

Parsing YAML and running JSON Schema are the slow steps once the data grows to
thousands of records. Both depend only on a file's bytes, the schemas, this
package's code and templates, and the versions of Python and the libraries that
read, check and render data, so their results are stored under a hash of all of
these in ``.cache/aiguide/`` and reused until any of them changes. Deleting the
folder is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import PACKAGE_DIR

CACHE_DIR_NAME = Path(".cache") / "aiguide"
# Libraries whose version can change a cached result: parsing, checking, templating and escaping.
LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-specifications", "Jinja2", "MarkupSafe")
CODE_SUFFIXES = (".py", ".j2", ".tpl", ".html", ".svg")

_fingerprint: bytes | None = None


def _library_versions() -> str:
    import yaml

    found = [f"python {sys.version}", f"libyaml {getattr(yaml, '__with_libyaml__', False)}"]
    for name in LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} absent")
    return "\n".join(found)


def compute_fingerprint() -> bytes:
    """A digest of everything besides the data that can change a result: the interpreter, the libraries
    in :data:`LIBRARIES`, and every code and template file of the package (found, not listed)."""
    digest = hashlib.sha256(_library_versions().encode("utf-8"))
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.digest()


def refresh_fingerprint() -> bytes:
    """Compute the fingerprint afresh (each load does, so an edited template is never served stale)."""
    global _fingerprint
    _fingerprint = compute_fingerprint()
    return _fingerprint


def code_fingerprint() -> bytes:
    """The fingerprint of the last load (computed now if there was none)."""
    return _fingerprint if _fingerprint is not None else refresh_fingerprint()


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

    def folder(self, name: str) -> Path | None:
        """A sub-folder for a library's own cache (Jinja's compiled templates), or None without a cache."""
        return None if self.directory is None else self.directory / name

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
