"""Garbage collection while the guide's data is loaded and modelled: many objects are made, and all of them stay."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def making_long_lived_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs, then file what it made in the oldest generation.

    Loading 10,000 findings makes millions of small objects that stay alive as long as the guide. Collected as
    young objects, they would all be walked once per generation they pass through; moved straight to the oldest
    generation (``gc.freeze`` then ``gc.unfreeze``), they are walked only by the rare full collections. Nothing is
    kept from the collector: an object that becomes garbage is freed as usual.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if collecting:
            gc.enable()
