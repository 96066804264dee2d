"""Glue between mkdocs-macros (or any engine that runs ``define_env``) and the pipeline.

:func:`register` takes the project's :class:`~aiguide.guide.Guide` (the one the build already loaded,
see :func:`provide`, else it loads it) and registers every fragment as a macro. The typed model and the
renderer are made only when a fragment is rendered. Under the live preview (``AIGUIDE_PREVIEW=1``) bad
data does not stop the server: every fragment shows the problems instead, and the terminal lists them.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .guide import Guide, load_guide
from .problems import DataError

if TYPE_CHECKING:
    from .fragments import Fragments

PREVIEW_ENV = "AIGUIDE_PREVIEW"
_provided: Guide | None = None


def provide(guide: Guide | None) -> None:
    """Hand an already loaded guide to the next build in this process, so it is not loaded twice."""
    global _provided
    _provided = guide


_last: tuple[tuple, Guide] | None = None  # the last guide loaded here, with the state of its files


def _files_state(project_dir: Path) -> tuple:
    """Name, size and modification time of every data and schema file: equal states mean equal data."""
    data = project_dir / "data"
    paths = sorted([*data.glob("*.yaml"), *(data / "schemas").glob("*.json")])
    return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in paths)


def _guide_for(project_dir: Path) -> Guide:
    """The guide the build was handed, else the one last loaded here while its files are unchanged (Zensical
    calls define_env once per page), else a fresh load."""
    global _provided, _last
    guide, _provided = _provided, None
    if guide is not None and guide.project_dir == project_dir.resolve():
        return guide
    state = _files_state(project_dir)
    if _last is not None and _last[0] == state and _last[1].project_dir == project_dir.resolve():
        return _last[1]
    guide = load_guide(project_dir)
    _last = (state, guide)
    return guide


def _abort(report: str) -> None:
    # MkDocs prints a PluginError's message without a traceback and exits with status 1.
    try:
        from mkdocs.exceptions import PluginError
    except ImportError:  # Zensical (no MkDocs installed) stops its build on any exception
        raise RuntimeError(report) from None
    raise PluginError(report)


class _Fragments:
    """The fragments of one build; the model and the renderer are made on first use."""

    def __init__(self, guide: Guide, current_page: Callable[[], str]):
        self.guide = guide
        self.current_page = current_page
        self._fragments: Fragments | None = None

    def get(self, name: str) -> Callable[..., str]:
        def render(*args: Any, **kwargs: Any) -> str:
            if self._fragments is None:
                from .fragments import Fragments

                self._fragments = Fragments(self.guide, self.current_page)
            return getattr(self._fragments, name)(*args, **kwargs)

        render.__name__ = name
        return render


def register(env: Any) -> None:
    """Register every fragment as a macro, plus the ``guide`` variable of the pages."""
    from .fragments import FRAGMENT_NAMES

    project_dir = Path(env.project_dir)
    env.macro(lambda: editors_handbook(project_dir), "editors_handbook")  # needs no data: registered in any case
    guide = _guide_for(project_dir)

    def current_page() -> str:
        return page_source(env.page)

    try:
        meta = guide.model.meta
    except DataError as error:
        if os.environ.get(PREVIEW_ENV):
            _register_problems(env, error, FRAGMENT_NAMES)
            return
        print(error.report(), file=sys.stderr, flush=True)  # every time: some engines log only the error's type
        _abort(error.report())
        return
    fragments = _Fragments(guide, current_page)
    for name in FRAGMENT_NAMES:
        env.macro(fragments.get(name), name)
    env.variables["guide"] = inert(meta)


def _register_problems(env: Any, error: DataError, names: tuple[str, ...]) -> None:
    """Live preview with bad data: the terminal lists the problems, and every fragment shows them."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(
        f"{count} problem{'s' if count != 1 else ''} in the guide's data; every page shows them until they are fixed",
        file=sys.stderr,
        flush=True,
    )
    from .render import problems_notice

    notice = problems_notice(error.problems)
    for name in names:
        env.macro(lambda *args, **kwargs: notice, name)
    env.variables["guide"] = _Blank()


class _Blank:
    """Stands in for the guide's facts while the data is broken: every attribute is blank too."""

    def __getattr__(self, name: str) -> _Blank:
        return self

    def __str__(self) -> str:
        return ""

    def __iter__(self):
        return iter(())


def page_source(page: Any) -> str:
    """The page's Markdown source relative to docs/ (MkDocs and ProperDocs: ``page.file``; Zensical: ``page.path``)."""
    file = getattr(page, "file", None)
    return file.src_uri if file is not None else str(page.path).replace("\\", "/")


def editors_handbook(project_dir: Path) -> str:
    """CONTRIBUTING.md, the editors' handbook, for the Editing page: written once, shown on GitHub and the site.

    Read by a macro rather than ``{% include %}``, so the macros' include folder need not be the whole project
    (Zensical tracks every file in it). Its text is Markdown the page renders as is; it is not run as a template.
    """
    return (project_dir / "CONTRIBUTING.md").read_text(encoding="utf-8")


def inert(value: Any) -> Any:
    """A record as Markdown pages see it (``{{ guide.title }}``): every text made inert, as templates do."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return SimpleNamespace(**{field.name: inert(getattr(value, field.name)) for field in fields})
    if isinstance(value, list | tuple):
        return [inert(item) for item in value]
    from .render import neutralise

    return neutralise(value)
