"""An exclusive lock between processes, so two builds of one guide never write the same files at once.

POSIX systems use ``fcntl.flock`` and Windows ``msvcrt.locking``; both are imported only when a lock is
taken, so the package imports and checks data on any platform.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def _try_lock(handle: IO[str], blocking: bool) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        try:
            msvcrt.locking(handle.fileno(), mode, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def exclusive_lock(path: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` while the block runs.

    When another process holds it, ``on_wait`` is called once with what the lock file says about that
    process (written by its holder), and the call waits until the lock is free.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        if not _try_lock(handle, blocking=False):
            handle.seek(0)
            on_wait(handle.read().strip() or "another process")
            _try_lock(handle, blocking=True)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
