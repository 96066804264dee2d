"""Garbage collection while the guide's data is loaded and modelled: many objects are made, and all of them stay."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def making_long_lived_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs, then leave it as it was.

    Loading 10,000 findings makes millions of small objects that all stay alive as long as the guide; collections
    started while they are made would find nothing to free. Nothing else is changed: the objects are collected by
    the usual rules afterwards (the preview server loads the guide again after every edit, so no generation may be
    skipped).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
