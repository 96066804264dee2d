"""Rendered fragments, reused until the data, the templates or the code change.

A fragment's Markdown depends only on the data, on the package's code and
templates, on the macro's name and arguments, and on the page it is rendered
into (links are relative to it). All of these go into its key, so a stored
fragment is only reused when rendering it again would give the same text.
Editing prose in ``docs/`` therefore rebuilds without rendering any fragment
again; editing a data file renders every fragment afresh.

Fragments live in ``.cache/aiguide/fragments/<data digest>/``; folders of older
data are removed when a new one is started, so the cache does not grow with
every edit. ``AIGUIDE_NO_CACHE=1`` turns the store off like the data cache.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from . import PACKAGE_DIR
from .cache import Cache, project_cache

FOLDER = "fragments"
KIND = "md.marshal"

# Every fragment the pages may call, by name (methods of aiguide.fragments.Fragments). Kept here, in a module
# that imports nothing heavy, so a build whose fragments are all stored never loads the renderer.
FRAGMENT_NAMES = (
    "theme_page",
    "theme_overview",
    "theme_group_page",
    "findings_table",
    "source_list",
    "faq_list",
    "glossary_list",
    "headline",
    "start_here",
    "decision_makers",
    "about_table",
    "strength_rule",
    "checklist_by_phase",
    "phase_page",
    "role_page",
    "decision_path",
    "roles_overview",
    "checklist_essentials",
    "assessment_form",
    "assessment_rule",
    "downloads_list",
    "schema_reference",
    "changelog",
    "law_overview",
    "jurisdiction_page",
)


@lru_cache(maxsize=1)
def render_fingerprint() -> str:
    """Changes whenever any module or template of the package, or the template engine, changes."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"jinja2 {version('jinja2')}\0markupsafe {version('markupsafe')}\0".encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".tpl"}:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


class FragmentStore:
    """Remembers what each macro rendered on each page for one state of the data and the code."""

    def __init__(self, cache: Cache, data_digest: str):
        self.cache = cache
        self.data_digest = data_digest
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_project(cls, project_dir: Path, data_digest: str) -> FragmentStore:
        """The project's store (inert without a data digest or with AIGUIDE_NO_CACHE set)."""
        root = project_cache(project_dir).directory
        if root is None or not data_digest:
            return cls(Cache(None), data_digest)
        folder = root / FOLDER / data_digest[:32]
        _remove_other_folders(folder)
        return cls(Cache(folder), data_digest)

    def key(self, name: str, page: str, args: tuple, kwargs: dict) -> str:
        digest = hashlib.sha256()
        for part in (render_fingerprint(), self.data_digest, name, page, repr(args), repr(sorted(kwargs.items()))):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def remembered(self, name: str, function: Callable[..., str], page: Callable[[], str]) -> Callable[..., str]:
        """``function`` with its results stored per page and arguments."""

        @functools.wraps(function)
        def fragment(*args, **kwargs) -> str:
            key = self.key(name, page(), args, kwargs)
            stored = self.cache.get(KIND, key)
            if isinstance(stored, str):
                self.hits += 1
                return stored
            self.misses += 1
            text = str(function(*args, **kwargs))
            self.cache.put(KIND, key, text)
            return text

        return fragment


def _remove_other_folders(keep: Path) -> None:
    """Drop fragments of earlier data: they can never be used again unless the data goes back."""
    parent = keep.parent
    if not parent.is_dir():
        return
    for folder in parent.iterdir():
        if folder != keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
