"""mkdocs-macros entry point. It only registers; everything else lives in the ``aiguide`` package."""

import sys
from pathlib import Path

# mkdocs-macros loads this file by path, so make the package beside it importable.
_PROJECT_DIR = str(Path(__file__).resolve().parent)
if _PROJECT_DIR not in sys.path:
    sys.path.insert(0, _PROJECT_DIR)

from aiguide.mkdocs_env import hide_title_from_macros, register, restore_title  # noqa: E402


def define_env(env):
    """Called by mkdocs-macros once per build."""
    register(env)


def on_pre_page_macros(env):
    """Before each page: keep its data-derived title away from the macro renderer."""
    hide_title_from_macros(env)


def on_post_page_macros(env):
    """After each page: give the title back."""
    restore_title(env)
