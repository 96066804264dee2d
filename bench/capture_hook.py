"""Throwaway MkDocs hook for the benchmark: save every page's Markdown as the macros rendered it.

Hooks run after the plugins, so ``on_page_markdown`` here sees the output of mkdocs-macros.
The bench copies this file into a temporary copy of the project and builds once with
``INHERIT: mkdocs.yml`` + ``hooks: [this file]``; nothing in the project loads it.
Writes ``$BENCH_CAPTURE_DIR/pages/<src_uri>`` (front matter restored).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

_OUT = Path(os.environ["BENCH_CAPTURE_DIR"])


def on_page_markdown(markdown, page, config, files, **kwargs):
    path = _OUT / "pages" / page.file.src_uri
    path.parent.mkdir(parents=True, exist_ok=True)
    front = ""
    if page.meta:
        front = "---\n" + yaml.safe_dump(dict(page.meta), sort_keys=False, allow_unicode=True) + "---\n\n"
    path.write_text(front + markdown, encoding="utf-8")
    return markdown
