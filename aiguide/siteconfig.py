"""Read ``mkdocs.yml`` as the engines do: ``!ENV`` tags resolved from the environment, other tags left empty.

The guide's own code needs a few of its settings (``site_url`` for links and the 404 page, ``nav`` for the
order of the printed book); this module is the one place that parses it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = "mkdocs.yml"


class _Loader(yaml.SafeLoader):
    """Safe YAML plus MkDocs' ``!ENV`` tag; ``!!python/name:…`` and other tags read as empty values."""


def _from_environment(loader: yaml.SafeLoader, node: yaml.Node) -> str | None:
    """``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``: the first variable set, else the default."""
    names = [str(loader.construct_scalar(node))] if isinstance(node, yaml.ScalarNode) else []
    default = None
    if isinstance(node, yaml.SequenceNode):
        names = [str(loader.construct_scalar(child)) for child in node.value]
        default = names.pop() if len(names) > 1 else None
    return next((os.environ[name] for name in names if os.environ.get(name)), default)


_Loader.add_constructor("!ENV", _from_environment)
_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_site_config(project_dir: Path) -> dict[str, Any]:
    """The settings of ``mkdocs.yml`` (an empty mapping when the file holds none)."""
    config = yaml.load((project_dir / CONFIG_FILE).read_text(encoding="utf-8"), Loader=_Loader)
    return config if isinstance(config, dict) else {}


def configured_site_url(project_dir: Path) -> str | None:
    """``site_url`` as the engines read it (``!ENV`` resolved), or None when it is not set."""
    return read_site_config(project_dir).get("site_url") or None
