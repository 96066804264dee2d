"""mkdocs-macros entry point. It only registers; everything else lives in the ``aiguide`` package."""

import sys
from pathlib import Path

# mkdocs-macros loads this file by path, so make the package beside it importable.
_PROJECT_DIR = str(Path(__file__).resolve().parent)
if _PROJECT_DIR not in sys.path:
    sys.path.insert(0, _PROJECT_DIR)

from aiguide.mkdocs_env import register  # noqa: E402


def define_env(env):
    """Called by mkdocs-macros once per build (by Zensical once per page).

    Titles from the data reach the pages through the nav, where `aiguide sync` writes their braces as character
    references, so no engine's macro renderer sees template syntax in them (no page-macro hooks needed).
    """
    register(env)
