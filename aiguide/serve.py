"""Live preview (``make serve``): a page never shows stale content, and bad data never hangs the browser.

Two processes. The *supervisor* (``python -m aiguide serve``) starts the *preview server* and watches
the package's Python modules and ``macros.py``; when one changes it restarts the server, because a
running Python process keeps the modules it imported (the open browser tab reconnects and reloads by
itself). The *preview server* is MkDocs' live-reload server with its own builder:

* each rebuild loads and checks the data afresh (the content-keyed cache keeps that quick), writes the
  generated page stubs and nav only when they change, and builds in this process;
* it watches ``docs/``, ``data/`` (schemas included), ``aiguide/templates/`` and ``mkdocs.yml``, and
  nothing else (not ``.cache/``, ``.venv/``, ``site/`` or ``node_modules/``); its own writes of page
  stubs and nav do not trigger another rebuild, so one edit causes one rebuild;
* when the data has problems, the terminal lists them (``file:line: field: message``) on every rebuild,
  and every page shows them in a notice instead of its content; when any other build step fails, the
  terminal shows why and the browser keeps the last good pages instead of waiting forever.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import PROJECT_DIR

WATCHED = ("docs", "data", "aiguide/templates", "mkdocs.yml")
RESTART_ON = ("aiguide", "macros.py")  # Python code: the server restarts
POLL_SECONDS = 0.5
log = logging.getLogger("aiguide.serve")


def _say(message: str) -> None:
    print(f"[preview] {message}", file=sys.stderr, flush=True)


def _interrupt_on_terminate() -> None:
    """Treat a polite request to stop (SIGTERM) like Ctrl-C, so that clean-up code runs."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _stop_with_parent() -> None:
    """Stop this process when the one that started it is gone (the preview server must not outlive its
    supervisor, even one killed outright)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


# ---------------------------------------------------------------------------------------------- supervisor


def python_files(project_dir: Path) -> dict[Path, float]:
    """Every module of the package and macros.py, with its modification time."""
    found = {path: path.stat().st_mtime for path in sorted((project_dir / "aiguide").rglob("*.py"))}
    macros = project_dir / "macros.py"
    if macros.is_file():
        found[macros] = macros.stat().st_mtime
    return found


def _start(project_dir: Path, dev_addr: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "aiguide.serve", "--child", "--project", str(project_dir), "--dev-addr", dev_addr]
    return subprocess.Popen(command, cwd=project_dir, env={**os.environ, "AIGUIDE_PREVIEW": "1"})


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def supervise(project_dir: Path, dev_addr: str) -> int:
    """Run the preview server; restart it whenever a Python module of the guide changes."""
    _interrupt_on_terminate()
    seen = python_files(project_dir)
    server = _start(project_dir, dev_addr)
    reported_exit = False
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = python_files(project_dir)
            if now != seen:
                changed = sorted({*now} ^ {*seen} | {path for path in now if seen.get(path) != now[path]})
                names = ", ".join(path.relative_to(project_dir).as_posix() for path in changed[:3])
                _say(f"{names} changed: restarting the preview server")
                seen = now
                _stop(server)
                server = _start(project_dir, dev_addr)
                reported_exit = False
            elif server.poll() is not None and not reported_exit:
                _say(f"the preview server stopped (exit status {server.returncode}); fix the code and save again")
                reported_exit = True
    except KeyboardInterrupt:
        _say("shutting down")
    finally:
        _stop(server)
    return 0


# ---------------------------------------------------------------------------------------------- preview server


class _Builder:
    """Loads, syncs and builds once per change; remembers the files it wrote itself."""

    def __init__(self, project_dir: Path, site_dir: Path, serve_url: str):
        self.project_dir = project_dir
        self.site_dir = site_dir
        self.serve_url = serve_url
        self.own_writes: dict[str, str] = {}  # path -> digest of the content this builder wrote
        self.builds = 0

    def is_own_write(self, path: str) -> bool:
        """True when ``path`` holds exactly what this builder last wrote there (its own sync)."""
        wanted = self.own_writes.get(os.path.abspath(path))
        if wanted is None:
            return False
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest() == wanted
        except OSError:
            return False

    def __call__(self, config: Any = None) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        from .guide import load_guide
        from .mkdocs_env import provide
        from .pages import apply_sync, plan_sync

        self.builds += 1
        _say(f"building (build {self.builds})")
        guide = load_guide(self.project_dir)
        if guide.ok:
            plan = plan_sync(guide)
            for path, text in plan.writes.items():
                if text is not None:
                    self.own_writes[str(path.resolve())] = hashlib.sha256(text.encode("utf-8")).hexdigest()
            apply_sync(plan)
        staging = Path(tempfile.mkdtemp(prefix="aiguide-preview-"))
        try:
            config = load_config(str(self.project_dir / "mkdocs.yml"), site_dir=str(staging), strict=False)
            config.site_url = self.serve_url
            provide(guide)
            build(config, serve_url=self.serve_url)
            _replace_contents(self.site_dir, staging)
            _say("ready" if guide.ok else "built with the problems above shown on every page")
        except (Exception, SystemExit) as error:  # any other failure: say why, keep the last good pages, never hang
            _say(f"the build failed: {type(error).__name__}: {error}; the browser keeps the last good pages")
        finally:
            provide(None)
            shutil.rmtree(staging, ignore_errors=True)


def _replace_contents(target: Path, source: Path) -> None:
    """Make ``target`` hold what ``source`` holds (the server keeps serving from ``target``)."""
    for child in list(target.iterdir()):
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in source.iterdir():
        shutil.move(str(child), target / child.name)


def serve_site(project_dir: Path, dev_addr: str) -> int:
    """The preview server: MkDocs' live-reload server, watching only what the guide is made of."""
    from mkdocs.livereload import LiveReloadServer

    host, _, port = dev_addr.rpartition(":")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site_dir = Path(tempfile.mkdtemp(prefix="aiguide-serve-"))
    serve_url = f"http://{host}:{port}/"
    builder = _Builder(project_dir, site_dir, serve_url)

    class Server(LiveReloadServer):
        """MkDocs' server, whose watches ignore the builder's own writes (MkDocs' watch(), plus that filter)."""

        def watch(self, path: str, func: Any = None, *, recursive: bool = True) -> None:
            import watchdog.events

            path = os.path.abspath(path)
            self._watched_paths[path] = self._watched_paths.get(path, 0) + 1

            def on_any_event(event: Any) -> None:
                if event.is_directory or builder.is_own_write(event.src_path):
                    return
                with self._rebuild_cond:
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

            handler = watchdog.events.FileSystemEventHandler()
            handler.on_any_event = on_any_event  # type: ignore[method-assign]
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def error_page(code: int) -> bytes | None:
        page = site_dir / "404.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    server = Server(builder=builder, host=host, port=int(port), root=str(site_dir))
    server.error_handler = error_page
    try:
        builder()
        for name in WATCHED:
            if (project_dir / name).exists():
                server.watch(str(project_dir / name))
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiguide serve", description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help="project folder (default: this checkout)")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project = args.project.resolve()
    if args.child:
        _interrupt_on_terminate()
        _stop_with_parent()
        return serve_site(project, args.dev_addr)
    if not (project / "aiguide").is_dir():
        print(f"{project} is not a checkout of the guide (no aiguide/ folder); see --project", file=sys.stderr)
        return 2
    _say(f"serving http://{args.dev_addr}/ ; watching data, docs, templates and mkdocs.yml; code changes restart")
    return supervise(project, args.dev_addr)


if __name__ == "__main__":
    raise SystemExit(main())
