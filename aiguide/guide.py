"""The one way into the guide's data: :func:`load_guide` reads, checks and models it, once.

Every consumer (the check command, the page sync, the MkDocs macros, the build, the
downloads, the field reference, the new-record command) takes the :class:`Guide` this
returns; nothing else reads ``data/`` or ``data/schemas/``::

    data/*.yaml ─ loader ─► values with lines ─ schemas ─► schema problems
                                            └─ references, dates ─► cross-record problems
    Guide.model (on first use) ─ modelling ─► typed records (model)

Results are reused from the content-keyed cache (:mod:`cache`) while nothing changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .cache import Cache, content_key, project_cache, refresh_fingerprint
from .fields import DATA_FILES, Fields
from .loader import LoadedFile, load_file
from .memory import making_long_lived_objects
from .model import GuideData
from .problems import DataError, Problem
from .schemas import COMMON, SCHEMA_DIR, SCHEMA_SUFFIX, SchemaSet

DATA_DIR = Path("data")
log = logging.getLogger(__name__)


def data_file(project_dir: Path, name: str) -> Path:
    """Where a data file lives; only the loader reads it, and the new-record command appends to it."""
    return Path(project_dir) / DATA_DIR / f"{name}.yaml"


def display_path(name: str) -> str:
    """How editors see a data file's path in messages: ``data/findings.yaml``."""
    return (DATA_DIR / f"{name}.yaml").as_posix()


@dataclass
class Guide:
    """The guide's data as loaded and checked: files, schemas, problems and, on demand, the typed model."""

    project_dir: Path
    files: dict[str, LoadedFile]
    schemas: SchemaSet
    problems: tuple[Problem, ...]
    digest: str  # content key of every data file, schema and the code: equal digests mean identical results
    as_of: dt.date = field(default_factory=dt.date.today)
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)  # made once per guide

    @property
    def ok(self) -> bool:
        return not self.problems

    @cached_property
    def fields(self) -> Fields:
        return Fields(self.schemas)

    @property
    def raw(self) -> dict[str, Any]:
        """Every data file's values, by file name."""
        return {name: loaded.data for name, loaded in self.files.items()}

    def require_ok(self) -> Guide:
        """This guide, or :class:`DataError` listing every problem."""
        if self.problems:
            raise DataError(self.problems)
        return self

    @cached_property
    def model(self) -> GuideData:
        """The typed model; raises :class:`DataError` when the data has problems."""
        self.require_ok()
        from .modelling import UNKNOWN_FIELD_MESSAGE, UnknownField, build_model

        try:
            return build_model(self.raw)
        except UnknownField as error:
            loaded = self.files[error.file]
            path = error.path
            from .problems import format_path

            raise DataError(
                [Problem(loaded.display_path, loaded.line_of(path), format_path(path), UNKNOWN_FIELD_MESSAGE)]
            ) from None

    def warnings(self) -> list[Problem]:
        """What is worth knowing but does not stop a build: records overdue for review."""
        from .currency import stale_records

        return stale_records(self, self.as_of)


def load_guide(project_dir: Path, *, as_of: dt.date | None = None) -> Guide:
    """Read, check and (lazily) model a project's data. Never raises for problems in the data: they are listed.

    ``as_of`` is the day dates are judged by (future review dates, overdue reviews); default today.
    Garbage collection is paused meanwhile (:mod:`memory`): loading builds many small objects that all stay alive.
    """
    project_dir = Path(project_dir).resolve()
    as_of = as_of or dt.date.today()
    with making_long_lived_objects():
        refresh_fingerprint()
        guide = _load(project_dir, project_cache(project_dir), as_of)
    log.debug("loaded and checked the data of %s: %d problems", project_dir, len(guide.problems))
    return guide


def _file_problems(project_dir: Path, schemas: SchemaSet) -> list[Problem]:
    """Data files and schemas that do not pair up: every data file needs its schema, and the other way round."""
    problems = []
    known = set(DATA_FILES)
    for name in DATA_FILES:
        if f"{name}{SCHEMA_SUFFIX}" not in schemas.documents:
            schema = (SCHEMA_DIR / f"{name}{SCHEMA_SUFFIX}").as_posix()
            if not any(problem.file == schema for problem in schemas.problems):
                problems.append(Problem(schema, 0, "", "the schema is missing; restore it from the repository"))
    if COMMON not in schemas.documents and not any(p.file.endswith(COMMON) for p in schemas.problems):
        problems.append(Problem((SCHEMA_DIR / COMMON).as_posix(), 0, "", "the schema is missing; restore it"))
    for path in sorted((project_dir / DATA_DIR).glob("*.yaml")):
        if path.stem not in known:
            message = f"is not one of the guide's data files ({', '.join(DATA_FILES)}); move it out of data/"
            problems.append(Problem(display_path(path.stem), 0, "", message))
    for doc in sorted(schemas.documents):
        name = doc.removesuffix(SCHEMA_SUFFIX)
        if doc != COMMON and name not in known:
            problems.append(Problem((SCHEMA_DIR / doc).as_posix(), 0, "", "has no data file; remove it"))
    return problems


def _load(project_dir: Path, cache: Cache, as_of: dt.date) -> Guide:
    schemas = SchemaSet.read(project_dir)
    problems: list[Problem] = [*schemas.problems, *_file_problems(project_dir, schemas)]
    files: dict[str, LoadedFile] = {}
    readable: dict[str, LoadedFile] = {}  # files that loaded without a problem
    for name in DATA_FILES:
        loaded, load_problems = load_file(data_file(project_dir, name), display_path(name), cache)
        problems.extend(load_problems)
        if loaded is not None:
            files[name] = loaded
            if not load_problems:
                readable[name] = loaded
    digest = content_key(schemas.digest, *(files[name].key.encode("utf-8") for name in files))
    if schemas.problems:  # a broken schema cannot judge anything
        return Guide(project_dir, files, schemas, tuple(sorted(set(problems))), digest, as_of)
    if not problems and (cached := cache.get("check.marshal", digest)) is not None:
        found = [Problem(*problem) for problem in cached]
    else:
        found = _check(readable, schemas, cache, complete=not problems)
        if not problems:
            cache.put("check.marshal", digest, [problem.as_tuple() for problem in found])
    from .references import dated_problems

    found += dated_problems(readable, Fields(schemas), as_of)
    return Guide(project_dir, files, schemas, tuple(sorted({*problems, *found})), digest, as_of)


def _check(files: dict[str, LoadedFile], schemas: SchemaSet, cache: Cache, *, complete: bool) -> list[Problem]:
    """Schema problems of every file, then cross-record problems of the files the schemas accept."""
    problems: list[Problem] = []
    clean: dict[str, LoadedFile] = {}
    for name, loaded in files.items():
        if f"{name}{SCHEMA_SUFFIX}" not in schemas.documents:
            continue
        found = schemas.problems_in(loaded, cache)
        problems.extend(found)
        if not found:
            clean[name] = loaded
    from .references import reference_problems  # only needed when the whole check is not cached

    complete = complete and len(clean) == len(DATA_FILES)
    problems.extend(reference_problems(clean, Fields(schemas), complete=complete))
    return problems
