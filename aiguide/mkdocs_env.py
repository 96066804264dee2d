"""Glue between mkdocs-macros and the pipeline: load once per build, register fragments."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .fragment_cache import FragmentStore
from .fragments import Fragments
from .model import GuideData, load_guide
from .problems import DataError
from .render import neutralise, plain


def _abort(report: str) -> None:
    # MkDocs prints a PluginError's message without a traceback and exits with status 1.
    from mkdocs.exceptions import PluginError

    raise PluginError(report)


def register(env: Any) -> None:
    """Validate the data and register every fragment as a macro, plus the ``guide`` variable."""
    try:
        data = load_guide(Path(env.project_dir))
    except DataError as error:
        _abort(error.report())
        return
    project_dir = Path(env.project_dir)

    def current_page() -> str:
        return env.page.file.src_uri

    fragments = Fragments(data, current_page=current_page, project_dir=project_dir)
    store = FragmentStore.for_project(project_dir, data.digest)
    for name, function in fragments.functions().items():
        env.macro(store.remembered(name, function, current_page), name)
    env.variables["guide"] = inert(data.meta)
    env.conf["extra"]["guide_cover"] = cover_facts(data)


def inert(value: Any) -> Any:
    """A record as Markdown pages see it (``{{ guide.title }}``): every text made inert, as templates do."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return SimpleNamespace(**{field.name: inert(getattr(value, field.name)) for field in fields})
    if isinstance(value, list | tuple):
        return [inert(item) for item in value]
    return neutralise(value)


def hide_title_from_macros(env: Any) -> None:
    """Page titles come from the data (through the nav); mkdocs-macros would render ``{{ … }}`` in them."""
    env.page.aiguide_title, env.page.title = env.page.title, ""


def restore_title(env: Any) -> None:
    """Give the page its title back, untouched."""
    env.page.title = env.page.aiguide_title


def cover_facts(data: GuideData) -> dict[str, str]:
    """Plain-text facts for the PDF cover, which print-site renders from the MkDocs config."""
    meta = data.meta
    return {
        "title": meta.title,
        "subtitle": plain(meta.subtitle),
        "version": meta.version,
        "release_date": meta.release_date,
        "licence": f"{meta.licence.title} ({meta.licence.id})",
        "how_to_cite": plain(meta.how_to_cite),
    }
