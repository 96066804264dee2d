"""Command line: ``python -m aiguide check`` and ``python -m aiguide sync``."""

from .cli import main

raise SystemExit(main())
