"""Data pipeline of the AI-in-imaging decision guide.

``data/*.yaml`` -> :mod:`loader` (with line numbers) -> :mod:`validate`
(JSON Schema + cross-references) -> :mod:`model` (typed records and derived
figures) -> :mod:`render` (Jinja templates) -> Markdown for MkDocs pages.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
