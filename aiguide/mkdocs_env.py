"""Glue between mkdocs-macros and the pipeline: check the data once per build, register fragments.

Every build checks the data (served from the cache while nothing changed) but builds the typed
model and the renderer only when a fragment has to be rendered: when every fragment a page asks
for is stored (see :mod:`fragment_cache`), neither the model nor the templates are loaded at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .cache import project_cache
from .fragment_cache import FRAGMENT_NAMES, FragmentStore, render_fingerprint
from .problems import DataError
from .validate import data_digest, load_and_check

if TYPE_CHECKING:
    from .fragments import Fragments
    from .model import GuideData


def _abort(report: str) -> None:
    # MkDocs prints a PluginError's message without a traceback and exits with status 1.
    from mkdocs.exceptions import PluginError

    raise PluginError(report)


class _Guide:
    """The checked data of one build; the model and the renderer are made on first use."""

    def __init__(self, project_dir: Path, current_page: Callable[[], str]):
        self.project_dir = project_dir
        self.current_page = current_page
        files, problems = load_and_check(project_dir)
        if problems:
            raise DataError(problems)
        self.files = files
        self.digest = data_digest(project_dir, files)
        self._data: GuideData | None = None
        self._fragments: Fragments | None = None

    @property
    def data(self) -> GuideData:
        if self._data is None:
            from .model import model_without_collecting

            self._data = model_without_collecting(self.files, self.digest)
        return self._data

    def fragment(self, name: str) -> Callable[..., str]:
        """The fragment ``name``, rendering through a renderer made the first time one is needed."""

        def render(*args: Any, **kwargs: Any) -> str:
            if self._fragments is None:
                from .fragments import Fragments

                self._fragments = Fragments(self.data, self.current_page, self.project_dir)
            return getattr(self._fragments, name)(*args, **kwargs)

        render.__name__ = name
        return render

    def page_variables(self) -> tuple[Any, dict[str, str]]:
        """The ``guide`` variable of the pages and the PDF cover's facts, kept with the data's cache."""
        cache = project_cache(self.project_dir)
        key = f"{self.digest[:40]}-{render_fingerprint()[:24]}"
        stored = cache.get("variables.pickle", key)
        if isinstance(stored, tuple) and len(stored) == 2:
            return stored
        variables = (inert(self.data.meta), cover_facts(self.data))
        cache.put("variables.pickle", key, variables)
        return variables


def register(env: Any) -> None:
    """Check the data and register every fragment as a macro, plus the ``guide`` variable."""
    project_dir = Path(env.project_dir)

    def current_page() -> str:
        return env.page.file.src_uri

    try:
        guide = _Guide(project_dir, current_page)
    except DataError as error:
        _abort(error.report())
        return
    store = FragmentStore.for_project(project_dir, guide.digest)
    for name in FRAGMENT_NAMES:
        env.macro(store.remembered(name, guide.fragment(name), current_page), name)
    env.variables["guide"], env.conf["extra"]["guide_cover"] = guide.page_variables()


def inert(value: Any) -> Any:
    """A record as Markdown pages see it (``{{ guide.title }}``): every text made inert, as templates do."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return SimpleNamespace(**{field.name: inert(getattr(value, field.name)) for field in fields})
    if isinstance(value, list | tuple):
        return [inert(item) for item in value]
    from .render import neutralise

    return neutralise(value)


def hide_title_from_macros(env: Any) -> None:
    """Page titles come from the data (through the nav); mkdocs-macros would render ``{{ … }}`` in them."""
    env.page.aiguide_title, env.page.title = env.page.title, ""


def restore_title(env: Any) -> None:
    """Give the page its title back, untouched."""
    env.page.title = env.page.aiguide_title


def cover_facts(data: GuideData) -> dict[str, str]:
    """Plain-text facts about the guide: the PDF's cover (aiguide.printbook) and the footer of every page."""
    from .render import plain

    meta = data.meta
    return {
        "title": meta.title,
        "subtitle": plain(meta.subtitle),
        "version": meta.version,
        "release_date": meta.release_date,
        "licence": f"{meta.licence.title} ({meta.licence.id})",
        "how_to_cite": plain(meta.how_to_cite),
    }
