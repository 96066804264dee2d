"""Glue between mkdocs-macros and the pipeline: load once per build, register fragments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .fragments import Fragments
from .model import GuideData, load_guide
from .problems import DataError
from .render import plain


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
    fragments = Fragments(data, current_page=lambda: env.page.file.src_uri, project_dir=Path(env.project_dir))
    for name, function in fragments.functions().items():
        env.macro(function, name)
    env.variables["guide"] = data.meta
    env.conf["extra"]["guide_cover"] = cover_facts(data)


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
