"""Performance benchmark of the guide's build: prints a report and one PASS/FAIL line per target.

Run it through ``bench/run`` (``--quick`` for N=2, ``--help`` for options). Everything happens in a
temporary folder: the project is copied there first (a snapshot, so concurrent edits in the work
tree cannot change a run half-way) and nothing in the work tree is written, except
``bench/node_modules`` (Lighthouse, installed with ``npm ci`` from ``bench/package-lock.json``).
Timings belong here only, never in the tests: this machine has 2 cores and is shared, so single
runs vary; the report prints the load average at the start of every section and at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import io
import itertools
import json
import os
import pstats
import re
import shutil
import signal
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ClassVar

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
PYTHON = PROJECT_DIR / ".venv" / "bin" / "python"


def _chromium() -> Path:
    """Chromium as aiguide/tools.py finds it (AIGUIDE_CHROMIUM, PATH, macOS), or a path that does not exist."""
    sys.path.insert(0, str(PROJECT_DIR))
    from aiguide.tools import ToolMissing, find

    try:
        return find("chromium")
    except ToolMissing:
        return Path("/nonexistent/chromium")


CHROMIUM = _chromium()
LIGHTHOUSE_VERSION = "12.8.2"

# What the snapshot leaves out: build output, environments, VCS data and the bench itself.
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-*",
    "site",
    "site-*",
    "site.tmp",
    "site.old",
    "build",
    "node_modules",
    "bench",
    "tests",
    ".pytest_cache",
    ".cache",
    ".ruff_cache",
    "__pycache__",
    "*.pyc",
    ".ci",
    ".github",
)

SECTIONS = ("macros", "pdf", "weights", "lighthouse", "scaling", "validation")
TARGETS: list[tuple[str, bool | None, str]] = []  # (name, passed or None when not measured, figures)


def target(name: str, passed: bool | None, figures: str) -> None:
    TARGETS.append((name, passed, figures))


# ----------------------------------------------------------------------------- output helpers


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} " + "=" * max(0, 76 - len(text)))
    say(f"   (load average {load()})")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:>{w}}}" if i else f"{{:<{w}}}" for i, w in enumerate(widths))
    say("   " + line.format(*header))
    say("   " + "  ".join("-" * w for w in widths))
    for row in rows:
        say("   " + line.format(*[str(cell) for cell in row]))


def kb(size: float) -> str:
    return f"{size / 1024:,.1f} KB"


def mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def gz(data: bytes, level: int = 6) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} s (1 run)"
    return f"{median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


# ----------------------------------------------------------------------------- running children


@dataclass
class Run:
    command: list[str]
    seconds: float
    max_rss_kb: int
    returncode: int
    log: Path
    output: str = ""
    cpu: float = 0.0  # user + system seconds of the child and its waited-for descendants

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def built_in(self) -> float | None:
        """MkDocs' own 'Documentation built in X seconds' (the last one, for two-pass builds)."""
        found = re.findall(r"Documentation built in ([\d.]+) seconds", self.output)
        return float(found[-1]) if found else None


class Runner:
    def __init__(self, work: Path):
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def run(
        self,
        command: list[str],
        *,
        cwd: Path,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
        name: str = "run",
    ) -> Run:
        """Run a child to completion; wall time and peak RSS (of the child and its waited-for descendants)."""
        self.count += 1
        log = self.logs / f"{self.count:02d}-{name}.log"
        with open(log, "wb") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [str(part) for part in command],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            timer = None
            if timeout:
                timer = threading.Timer(timeout, lambda: _kill_group(proc.pid))
                timer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            if timer:
                timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        output = log.read_text(encoding="utf-8", errors="replace")
        cpu = usage.ru_utime + usage.ru_stime
        return Run(command, seconds, usage.ru_maxrss, proc.returncode, log, output, cpu)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def must(run: Run, what: str) -> Run:
    if not run.ok:
        tail = "\n".join(run.output.splitlines()[-25:])
        raise SystemExit(f"bench: {what} failed (exit {run.returncode}); log {run.log}:\n{tail}")
    return run


def base_env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


# ----------------------------------------------------------------------------- the project snapshot


@dataclass
class Guide:
    """A copy of the project to build, and what it holds."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    first_theme: str = ""
    release_date: str = ""
    data_bytes: int = 0
    first_role: str = ""
    first_phase: str = ""
    first_group: str = ""
    first_jurisdiction: str = ""
    first_calculator: str = ""


def snapshot(work: Path, ref: str | None) -> Guide:
    """Copy the work tree (default) or export a commit, so edits made during the run cannot change it."""
    dest = work / "guide"
    if ref is None:
        shutil.copytree(PROJECT_DIR, dest, ignore=SNAPSHOT_IGNORE, symlinks=True)
    else:
        dest.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "archive", "--format=tar", ref], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        for name in ("bench", "tests", ".ci", ".github"):
            shutil.rmtree(dest / name, ignore_errors=True)
    # Byte-compile the snapshot's Python once, as any second run (or an installed package) has it: the builds run
    # with PYTHONDONTWRITEBYTECODE=1, and without this every macros build would compile the package from source
    # while MkDocs, Material and the plugins load from their compiled files in .venv.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(dest / "aiguide"), str(dest / "macros.py")], check=True)
    return describe(dest)


def describe(path: Path) -> Guide:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def read(name: str):
        return yaml.load((path / "data" / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)

    findings = read("findings")["findings"]
    themes = read("themes")["themes"]
    counts = {
        "findings": sum(1 for f in findings if f.get("status", "active") != "retired"),
        "sources": len(read("sources")["sources"]),
        "checklist items": len(read("checklists")["items"]),
        "faqs": len(read("faqs")["faqs"]),
        "themes": len(themes),
    }
    guide = read("guide")
    data_bytes = sum(p.stat().st_size for p in (path / "data").glob("*.yaml"))
    first_phase = min(read("phases")["phases"], key=lambda phase: phase["order"])["id"]
    groups = read("themes").get("groups") or [{"id": ""}]
    optional = {
        name: read(name) if (path / "data" / f"{name}.yaml").is_file() else {}
        for name in ("regulations", "calculators")
    }
    jurisdictions = optional["regulations"].get("jurisdictions") or [{"id": ""}]
    calculators = optional["calculators"].get("calculators") or [{"id": ""}]
    return Guide(
        path,
        counts,
        themes[0]["id"],
        str(guide["release_date"]),
        data_bytes,
        first_role=read("roles")["roles"][0]["id"],
        first_phase=first_phase,
        first_group=groups[0]["id"],
        first_jurisdiction=jurisdictions[0]["id"],
        first_calculator=calculators[0]["id"],
    )


def copy_guide(guide: Guide, dest: Path) -> Path:
    shutil.copytree(guide.path, dest, ignore=shutil.ignore_patterns("bench_*", "mkdocs.capture.yml"), symlinks=True)
    return dest


def source_date_epoch(release_date: str) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(release_date)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


def mkdocs_build(
    runner: Runner, project: Path, site: Path, guide: Guide, name: str, extra_env: dict[str, str] | None = None
) -> Run:
    """`mkdocs build --strict` exactly as aiguide.build.mkdocs_build runs it (without the CSP step after it)."""
    shutil.rmtree(site, ignore_errors=True)
    env = {"SOURCE_DATE_EPOCH": source_date_epoch(guide.release_date), **base_env(), **(extra_env or {})}
    command = [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", site]
    return runner.run(command, cwd=project, env=env, name=name)


def aiguide_build(runner: Runner, project: Path, site: Path, name: str, timeout: float | None = None) -> Run:
    """`python -m aiguide.build --no-pdf`: check, sync, strict mkdocs build, CSP and downloads (`make html`)."""
    shutil.rmtree(site, ignore_errors=True)
    command = [PYTHON, "-m", "aiguide.build", "--no-pdf", "--project", project, "--site-dir", site]
    return runner.run(command, cwd=project, env=base_env(), timeout=timeout, name=name)


def steps_of(run: Run) -> str:
    match = re.search(r"site built in .*?\((.*)\)", run.output)
    return match.group(1) if match else "?"


def html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if p.name != "404.html" and p.name != "print_page.html"]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- 1. macros against plain Material


class _EnvTag(list):
    """An ``!ENV [NAME, default]`` value of mkdocs.yml, kept as written when the file is rewritten."""


def _yaml_classes():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    class Dumper(yaml.SafeDumper):
        pass

    def construct(loader, node):
        if isinstance(node, yaml.SequenceNode):
            return _EnvTag(loader.construct_sequence(node))
        return _EnvTag([loader.construct_scalar(node)])

    Loader.add_constructor("!ENV", construct)
    Dumper.add_representer(_EnvTag, lambda dumper, value: dumper.represent_sequence("!ENV", list(value), True))
    return Loader, Dumper


_ConfigLoader, _ConfigDumper = _yaml_classes()


def make_plugin_only_project(plain: Path, work: Path) -> Path:
    """The plain project with mkdocs-macros switched on but nothing registered: the plugin's own cost."""
    import yaml

    project = work / "plugin-only"
    shutil.copytree(plain, project, symlinks=True)
    config = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    config["plugins"].append({"macros": {"module_name": "macros", "on_error_fail": True}})
    (project / "mkdocs.yml").write_text(
        yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    (project / "macros.py").write_text('def define_env(env):\n    """Registers nothing."""\n', encoding="utf-8")
    return project


def make_plain_project(runner: Runner, guide: Guide, work: Path) -> Path:
    """Render every page's Markdown once through the macros, then write a project without the macros plugin."""
    import yaml

    capture = work / "captured"
    shutil.copy2(BENCH_DIR / "capture_hook.py", guide.path / "bench_capture_hook.py")
    (guide.path / "mkdocs.capture.yml").write_text(
        "INHERIT: mkdocs.yml\nhooks:\n  - bench_capture_hook.py\n", encoding="utf-8"
    )
    env = {"SOURCE_DATE_EPOCH": source_date_epoch(guide.release_date), **base_env(), "BENCH_CAPTURE_DIR": str(capture)}
    must(
        runner.run(
            [
                PYTHON,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--config-file",
                "mkdocs.capture.yml",
                "--site-dir",
                work / "site-capture",
            ],
            cwd=guide.path,
            env=env,
            name="capture",
        ),
        "the capture build",
    )
    (guide.path / "bench_capture_hook.py").unlink()
    (guide.path / "mkdocs.capture.yml").unlink()
    shutil.rmtree(work / "site-capture", ignore_errors=True)

    plain = copy_guide(guide, work / "plain")
    sources = sorted((guide.path / "docs").rglob("*.md"))
    for source in sources:
        relative = source.relative_to(guide.path / "docs")
        rendered = capture / "pages" / relative
        if not rendered.is_file():
            raise SystemExit(f"bench: the capture build did not render docs/{relative}")
        (plain / "docs" / relative).write_text(rendered.read_text(encoding="utf-8"), encoding="utf-8")
    config = yaml.load((guide.path / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    config["plugins"] = [p for p in config["plugins"] if not (p == "macros" or (isinstance(p, dict) and "macros" in p))]
    config.pop("watch", None)
    (plain / "mkdocs.yml").write_text(
        yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    # Without the macros, nothing needs macros.py.
    (plain / "macros.py").unlink()
    say(
        f"   plain project: {len(sources)} pages pre-rendered through the macros once; mkdocs.yml without "
        "the macros plugin (same theme, extensions, nav, other plugins)"
    )
    return plain


def compare_sites(a: Path, b: Path) -> tuple[int, list[str]]:
    """Count byte-identical HTML files; describe the first difference of each other file."""
    same, different = 0, []
    for page in sorted(p.relative_to(a) for p in a.rglob("*.html")):
        if not (b / page).is_file():
            different.append(f"{page} (only in the macros build)")
            continue
        left, right = (a / page).read_text(encoding="utf-8"), (b / page).read_text(encoding="utf-8")
        if left == right:
            same += 1
            continue
        for x, y in zip(left.splitlines(), right.splitlines(), strict=False):
            if x != y:
                different.append(f"{page}: macros {x.strip()[:70]!r} vs plain {y.strip()[:70]!r}")
                break
        else:
            different.append(f"{page}: lengths differ")
    return same, different


def bench_macros(runner: Runner, guide: Guide, work: Path, n: int) -> float:
    heading("1. Real guide: mkdocs build with macros vs plain Material with the same rendered pages")
    say("   timed command (both): python -m mkdocs build --strict --site-dir <tmp> (the build that")
    say("   aiguide.build wraps, with SOURCE_DATE_EPOCH set the same way; the CSP step after it is not included)")
    plain = make_plain_project(runner, guide, work)
    plugin_only = make_plugin_only_project(plain, work)
    macros_runs, plain_runs, plugin_runs = [], [], []
    for index in range(n):
        macros_runs.append(
            must(mkdocs_build(runner, guide.path, work / "site-macros", guide, f"macros-{index}"), "the macros build")
        )
        plain_runs.append(
            must(mkdocs_build(runner, plain, work / "site-plain", guide, f"plain-{index}"), "the plain build")
        )
        plugin_runs.append(
            must(mkdocs_build(runner, plugin_only, work / "site-plugin", guide, f"plugin-{index}"), "the plugin build")
        )
        if index == 0:
            same, different = compare_sites(work / "site-macros", work / "site-plain")
            say(f"   output check: {same} of {same + len(different)} HTML files byte-identical")
            for line in different[:5]:
                say(f"     differs: {line}")
    rows = []
    for label, runs in (
        ("with macros", macros_runs),
        ("plain Material", plain_runs),
        ("plain + macros plugin, no macros", plugin_runs),
    ):
        walls = [r.seconds for r in runs]
        rows.append(
            [
                label,
                f"{median(walls):.2f}",
                f"{min(walls):.2f}-{max(walls):.2f}",
                f"{median([r.built_in() or 0.0 for r in runs]):.2f}",
                f"{median([r.cpu for r in runs]):.2f}",
                f"{max(r.max_rss_kb for r in runs) / 1024:.0f}",
            ]
        )
    table(rows, ["build", "median wall s", "range", "'built in' s", "CPU s", "peak RSS MB"])
    macros_wall = median([r.seconds for r in macros_runs])
    plain_wall = median([r.seconds for r in plain_runs])
    ratio = macros_wall / plain_wall
    inner_ratio = median([r.built_in() or 0 for r in macros_runs]) / median([r.built_in() or 1 for r in plain_runs])
    cpu_ratio = median([r.cpu for r in macros_runs]) / median([r.cpu for r in plain_runs])
    min_ratio = min(r.seconds for r in macros_runs) / min(r.seconds for r in plain_runs)
    say(
        f"   ratio macros/plain (medians, N={n} each, alternating): {ratio:.3f} on wall time; cross-checks: "
        f"{inner_ratio:.3f} on MkDocs' 'built in' time, {cpu_ratio:.3f} on CPU time (user+system, less"
    )
    say(f"   sensitive to other load on the machine), {min_ratio:.3f} on the fastest run of each")
    target(
        "macros overhead: mkdocs build with macros / plain Material <= 1.10",
        ratio <= 1.10,
        f"ratio {ratio:.3f} (median wall {macros_wall:.2f} s vs {plain_wall:.2f} s, N={n}; CPU ratio {cpu_ratio:.3f})",
    )
    plugin_wall = median([r.seconds for r in plugin_runs])
    say(
        f"   what mkdocs-macros costs by itself: the plain project with the plugin switched on and a define_env that"
        f" registers nothing builds in {plugin_wall:.2f} s, {plugin_wall / plain_wall:.3f} x plain (its imports,"
    )
    say(
        "   the git commands it runs on every build, a Jinja pass over every page); the guide's own share is the"
        f" rest: {macros_wall / plugin_wall:.3f} x that build."
    )
    say("   (the data cache .cache/aiguide/ is warm for these runs: the capture build filled it)")
    cold = must(
        mkdocs_build(runner, guide.path, work / "site-macros", guide, "macros-cold", {"AIGUIDE_NO_CACHE": "1"}),
        "the macros build without cache",
    )
    say(
        f"   one more macros build with AIGUIDE_NO_CACHE=1 (data parsed and checked afresh): {cold.seconds:.2f} s, "
        f"ratio {cold.seconds / plain_wall:.3f} to the plain median (CPU {cold.cpu:.2f} s)"
    )
    for name in ("site-plain", "site-macros", "site-plugin"):
        shutil.rmtree(work / name, ignore_errors=True)
    return macros_wall


# ----------------------------------------------------------------------------- 2. scaling


def theme_copies(k: int) -> int:
    """Themes grow with the square root of the data (19 -> 57 -> 190), findings per theme with its root too."""
    return max(1, round(k**0.5))


@dataclass
class ScalePoint:
    k: int
    counts: dict[str, int]
    data_bytes: int
    check_s: float
    sync_s: float
    run: Run
    finished: bool
    pages: int = 0
    site_bytes: int = 0
    home_nav_links: int = 0

    @property
    def findings(self) -> int:
        return self.counts["findings"]

    @property
    def total(self) -> float:
        """`make html` after a change to every data file: check (cold, fills the cache) + sync + build."""
        return self.check_s + self.sync_s + self.run.seconds

    def per_finding_ms(self) -> str:
        value = f"{self.total / self.findings * 1000:.1f}"
        return value if self.finished else f">{value}"


def nav_links(page: Path) -> int:
    return page.read_text(encoding="utf-8", errors="replace").count('class="md-nav__link')


def scale_point(
    runner: Runner, guide: Guide, work: Path, k: int, themes: int | None = None, timeout: float | None = None
) -> ScalePoint:
    sys.path.insert(0, str(BENCH_DIR))
    import synth

    from aiguide import pages
    from aiguide.guide import load_guide

    themes = theme_copies(k) if themes is None else themes
    label = f"x{k}" + ("" if themes == theme_copies(k) else f"-t{themes}")
    project = guide.path if k == 1 else copy_guide(guide, work / f"guide-{label}")
    if k > 1:
        synth.scale_data(project / "data", k, themes)
    shutil.rmtree(project / ".cache", ignore_errors=True)  # every scale starts cold, as after a change to all data
    started = time.perf_counter()
    loaded = load_guide(project)
    problems = loaded.problems
    check_s = time.perf_counter() - started
    if problems:
        raise SystemExit(f"bench: the synthetic data at {k}x does not validate: {problems[:5]}")
    # Model the data before timing the sync, so "sync" is the stubs alone.
    loaded.model  # noqa: B018
    started = time.perf_counter()
    pages.sync_pages(loaded, write=True)
    sync_s = time.perf_counter() - started
    site = work / f"site-{label}"
    run = aiguide_build(runner, project, site, f"build-{label}", timeout=timeout)
    info = describe(project)
    if not run.ok and timeout and run.seconds >= timeout - 1:
        point = ScalePoint(k, info.counts, info.data_bytes, check_s, sync_s, run, False)
    else:
        must(run, f"the {k}x build")
        point = ScalePoint(
            k,
            info.counts,
            info.data_bytes,
            check_s,
            sync_s,
            run,
            True,
            len(html_pages(site)),
            folder_bytes(site),
            nav_links(site / "index.html"),
        )
    if k > 1:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(site.with_name(site.name + ".tmp"), ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
    return point


def bench_scaling(
    runner: Runner, guide: Guide, work: Path, one: ScalePoint, scales: list[int], full_nav: bool, timeout: float
) -> None:
    heading("7. Scaling: synthetic data at 1x, 10x, 100x, built with python -m aiguide.build --no-pdf")
    say("   growth: findings, FAQs, checklist items and sources x k; themes x round(sqrt(k)) (19 -> 57 -> 190);")
    say("   roles, phases, frameworks, glossary, assessment and headline stay as they are. Each copy must pass")
    say("   load_guide with no problems ('check s', in the bench process, starting with no .cache/aiguide, so it")
    say("   parses, checks and fills the data cache, like `make check`); sync_pages writes stubs and nav ('sync s').")
    say("   'build s': the whole `python -m aiguide.build --no-pdf` child (check, sync, mkdocs build, CSP, downloads),")
    say("   which finds the data cache warm, as `make html` does after `make check`. 'ms/finding' = (check + sync +")
    say("   build) / findings: the cost of `make html` after every data file changed.")
    say(f"   cut off after {timeout:.0f} s; peak RSS: os.wait4 of that child (max over it and its mkdocs child).")
    points = [one]
    for k in scales:
        say(f"   {k}x: generating, checking, syncing, building ... (load {load()})")
        points.append(scale_point(runner, guide, work, k, timeout=timeout))
    rows = []
    for p in points:
        rss = f"{p.run.max_rss_kb / 1024:.0f}" + ("" if p.finished else "+")
        total = f"{p.total:.1f}" if p.finished else f">{p.total:.0f}"
        build = f"{p.run.seconds:.1f}" if p.finished else f">{p.run.seconds:.0f} (cut)"
        rows.append(
            [
                f"{p.k}x",
                p.findings,
                p.counts["themes"],
                p.counts["sources"],
                p.counts["checklist items"],
                p.pages or "?",
                mb(p.data_bytes),
                mb(p.site_bytes) if p.finished else "?",
                f"{p.check_s:.1f}",
                f"{p.sync_s:.1f}",
                build,
                total,
                p.per_finding_ms(),
                rss,
                p.home_nav_links or "?",
            ]
        )
    table(
        rows,
        [
            "scale",
            "findings",
            "themes",
            "sources",
            "items",
            "pages",
            "data",
            "site",
            "check s",
            "sync s",
            "build s",
            "total s",
            "ms/finding",
            "RSS MB",
            "nav links/page",
        ],
    )
    for p in points:
        if p.finished:
            say(f"   {p.k}x steps inside the build: {steps_of(p.run)}; mkdocs 'built in' {p.run.built_in()} s")
    say("   (inside the build the data is loaded and checked once, by build.py, which hands the same guide to sync,")
    say("    to the MkDocs build it runs in its own process, and to the downloads)")
    finished = [p for p in points if p.finished]
    marginal = []
    for a, b in itertools.pairwise(finished):
        marginal.append((b.total - a.total) / (b.findings - a.findings))
        say(f"   marginal {a.k}x -> {b.k}x: {marginal[-1] * 1000:.1f} ms per added finding (start-up cancels out)")
    if len(finished) >= 2:
        start_up = finished[0].total - marginal[0] * finished[0].findings
        say(
            f"   the 1x total ({finished[0].total:.1f} s) is mostly fixed start-up (~{start_up:.1f} s: Python, MkDocs,"
            " Material, the prose pages and assets; a plain Material build of the 1x pages takes about as long),"
        )
        say(
            "   so total/findings falls as data grows whatever the build does; flatness is judged on the marginal"
            " cost per added finding between successive sizes, which only grows if some step is worse than linear."
        )
    first, last = points[0], points[-1]
    flat = (
        all(p.finished for p in points)
        and len(marginal) >= 2
        and all(abs(value / marginal[0] - 1) <= 0.20 for value in marginal)
    )
    steps = zip(itertools.pairwise(finished), marginal, strict=True)
    segments = ", ".join(f"{a.k}x->{b.k}x {value * 1000:.1f}" for (a, b), value in steps)
    target(
        f"time per finding flat within +-20% from {first.k}x to {last.k}x (marginal, start-up excluded)",
        flat if len(marginal) >= 2 or not all(p.finished for p in points) else None,
        f"ms per added finding {segments or '-'}; total/findings "
        + " / ".join(f"{p.k}x {p.per_finding_ms()}" for p in points),
    )
    ok, parts = True, []
    for a, b in itertools.pairwise(points):
        data_growth = b.data_bytes / a.data_bytes
        rss_growth = b.run.max_rss_kb / a.run.max_rss_kb
        ok &= rss_growth <= data_growth
        parts.append(
            f"{a.k}x->{b.k}x data x{data_growth:.1f}, peak RSS x{rss_growth:.1f}"
            + ("" if b.finished else " (cut off: at least)")
        )
    all_done = all(p.finished for p in points)
    target(
        "peak memory grows no faster than the data", ok if all_done else (False if not ok else None), "; ".join(parts)
    )
    say()
    last = finished[-1]
    say(
        f"   navigation: themes are nested in groups (their first NASSS domain), so a page's menu lists the groups"
        f" and its own group's themes: {last.home_nav_links} nav links on the home page at"
        f" {last.counts['themes']} themes ({last.k}x). --full-nav stresses it with 1,900 themes."
    )
    if full_nav:
        say("   nav stress: 100x with themes x100 (1,900 theme pages in the same groups) ...")
        p = scale_point(runner, guide, work, 100, themes=100, timeout=max(timeout, 1800))
        if p.finished:
            say(
                f"   100x/1,900 themes: build {p.run.seconds:.0f} s, {p.pages} pages, site {mb(p.site_bytes)}, "
                f"peak RSS {p.run.max_rss_kb / 1024:.0f} MB, {p.home_nav_links} nav links on every page"
            )
        else:
            say(f"   100x/1,900 themes: did not finish within {p.run.seconds:.0f} s")


def bench_profile_build(runner: Runner, guide: Guide, work: Path, k: int) -> None:
    heading(f"7b. cProfile of the mkdocs build at {k}x (python -m cProfile -m mkdocs build --strict; cache warm)")
    sys.path.insert(0, str(BENCH_DIR))
    import synth

    from aiguide.guide import load_guide
    from aiguide.pages import sync_pages

    project = copy_guide(guide, work / f"guide-profile-x{k}")
    synth.scale_data(project / "data", k, theme_copies(k))
    sync_pages(load_guide(project), write=True)
    stats = work / "build.prof"
    env = {"SOURCE_DATE_EPOCH": source_date_epoch(guide.release_date), **base_env()}
    command = [
        PYTHON,
        "-m",
        "cProfile",
        "-o",
        stats,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        work / "s-prof",
    ]
    run = must(runner.run(command, cwd=project, env=env, name=f"profile-x{k}"), "the profiled build")
    say(f"   {run.seconds:.0f} s under the profiler; top entries by cumulative time (plugins, macros, aiguide):")
    out = io.StringIO()
    pstats.Stats(str(stats), stream=out).sort_stats("cumulative").print_stats(
        r"plugins|macros|aiguide|markdown/core|printbook|search/plugin|jinja2/environment.py:\d+\(render\)|urls.py", 40
    )
    for line in out.getvalue().splitlines():
        if re.match(r"\s*\d", line):
            say(
                "   "
                + line.replace(str(project) + "/", "").replace(
                    str(Path(sys.prefix)) + "/lib/python3.11/site-packages/", ""
                )[:150]
            )
    shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(work / "s-prof", ignore_errors=True)


# ----------------------------------------------------------------------------- 3. validation at 10,000 findings

VALIDATE_WORKER = r"""
# Runs aiguide.guide.load_guide once, timing its steps through thin wrappers, and prints each step as it
# ends (so a run cut off by the timeout still shows where the time went). Argv: project, mode, code dir.
# The wrappers pass every argument through, so they survive signature changes.
import json, sys, time, cProfile, pstats, io
from pathlib import Path
project = Path(sys.argv[1]); mode = sys.argv[2]
sys.path.insert(0, sys.argv[3])
import yaml
from aiguide import guide, loader, references, schemas
# At ~10,000 findings findings.yaml and sources.yaml outgrow the loader's 20 MB guard against runaway files; this
# section times loading and checking at that size, so its own process lifts the guard (the guide keeps it).
loader.MAX_FILE_BYTES = 1024 * 1024 * 1024

def emit(**values):
    print(json.dumps(values), flush=True)

if mode == "time":
    parse = yaml.parse
    spent = {"parse": 0.0}
    def timed_parse(*args, **kwargs):
        events = parse(*args, **kwargs)
        while True:
            t = time.perf_counter()
            try:
                event = next(events)
            except StopIteration:
                spent["parse"] += time.perf_counter() - t
                return
            spent["parse"] += time.perf_counter() - t
            yield event
    yaml.parse = timed_parse
    def wrap(owner, name, label):
        original = getattr(owner, name, None)
        if original is None:
            return
        def timed(*args, **kwargs):
            before, t = spent["parse"], time.perf_counter()
            result = original(*args, **kwargs)
            total = time.perf_counter() - t
            parsed = spent["parse"] - before
            if name == "load_file":
                emit(step="YAML events (libyaml C parser)", s=parsed)
                emit(step="read, cache lookup, values + lines (loader)", s=total - parsed)
            else:
                emit(step=label, s=total)
            return result
        setattr(owner, name, timed)
    wrap(guide, "load_file", "")
    wrap(schemas.SchemaSet, "problems_in", "JSON Schema (schemas.py)")
    wrap(references, "reference_problems", "cross-references (references.py)")
    t = time.perf_counter()
    problems = guide.load_guide(project).problems
    total = time.perf_counter() - t
    emit(total=total, problems=len(problems))
else:
    profile = cProfile.Profile(); profile.enable(); guide.load_guide(project); profile.disable()
    for key in ("tottime", "cumulative"):
        out = io.StringIO(); pstats.Stats(profile, stream=out).sort_stats(key).print_stats(14)
        print(f"--- sorted by {key} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip() and "Ordered by" not in line
                        and "List reduced" not in line))
"""


def make_validation_data(guide: Guide, work: Path, findings: int) -> tuple[Path, dict[str, int]]:
    sys.path.insert(0, str(BENCH_DIR))
    import synth

    k = max(1, round(findings / guide.counts["findings"]))
    project = work / f"guide-validate-{findings}"
    shutil.copytree(guide.path / "data", project / "data")
    counts = synth.scale_data(project / "data", k, theme_copies(k))
    return project, counts


@dataclass
class ValidationRun:
    run: Run
    steps: dict[str, float]
    total: float | None  # None: cut off

    def figure(self) -> str:
        return f"{self.total:.2f} s" if self.total is not None else f"> {self.run.seconds:.0f} s (cut off)"


def validation_run(
    runner: Runner,
    guide: Guide,
    work: Path,
    project: Path,
    timeout: float,
    name: str,
    *,
    cache: bool = True,
    mode: str = "time",
) -> ValidationRun:
    """One load_guide in a fresh interpreter (imports excluded); cache=False sets AIGUIDE_NO_CACHE=1."""
    worker = work / "validate_worker.py"
    worker.write_text(VALIDATE_WORKER, encoding="utf-8")
    env = base_env()
    if cache:
        env.pop("AIGUIDE_NO_CACHE", None)
    else:
        env["AIGUIDE_NO_CACHE"] = "1"
    run = runner.run([PYTHON, worker, project, mode, guide.path], cwd=work, env=env, timeout=timeout, name=name)
    steps: dict[str, float] = {}
    total = None
    for line in run.output.splitlines():
        if mode != "time" or not line.startswith("{"):
            continue
        values = json.loads(line)
        if "step" in values:
            steps[values["step"]] = steps.get(values["step"], 0.0) + values["s"]
        else:
            total = values["total"]
            if values["problems"]:
                raise SystemExit(f"bench: the synthetic validation data has {values['problems']} problems")
    if total is None and run.seconds < timeout - 1 and mode == "time":
        must(run, "the validation run")
    if mode != "time":
        must(run, "the profiled validation run")
    return ValidationRun(run, steps, total)


def steps_table(steps: dict[str, float]) -> None:
    whole = sum(steps.values()) or 1
    table([[name, f"{s:.2f}", f"{s / whole * 100:.0f}%"] for name, s in steps.items()], ["step", "s", "share"])


def print_profile(run: Run, guide: Guide) -> None:
    for line in run.output.splitlines():
        say(
            "   "
            + line.replace(str(guide.path) + "/", "")
            .replace(str(PROJECT_DIR) + "/", "")
            .replace(str(Path(sys.prefix)) + "/lib/python3.11/site-packages/", "")[:150]
        )


def bench_validation(
    runner: Runner, guide: Guide, work: Path, n: int, findings: int, timeout: float, profile_findings: int
) -> None:
    heading(f"8. Load + validation alone (aiguide.guide.load_guide) at ~{findings:,} findings")
    project, counts = make_validation_data(guide, work, findings)
    size = sum(p.stat().st_size for p in (project / "data").glob("*.yaml"))
    say(
        "   synthetic data: "
        + ", ".join(f"{v:,} {name}" for name, v in counts.items())
        + f"; {mb(size)} of YAML (findings.yaml {mb((project / 'data' / 'findings.yaml').stat().st_size)})"
    )
    say(f"   each run: a fresh interpreter, imports excluded, cut off after {timeout:.0f} s; the project's data cache")
    say("   (.cache/aiguide/, keyed on content) starts empty")
    first = validation_run(runner, guide, work, project, timeout, "validate-first")
    say(
        f"   first run (nothing cached; fills the cache): {first.figure()}, "
        f"peak RSS {first.run.max_rss_kb / 1024:.0f} MB"
    )
    steps_table(first.steps)
    warm: list[float] = []
    if first.total is not None:
        for index in range(n):
            result = validation_run(runner, guide, work, project, timeout, f"validate-warm-{index}")
            if result.total is None:
                break
            warm.append(result.total)
        if warm:
            say(f"   warm (every file and the whole check cached): {spread(warm)}")
            steps_table(result.steps)
        findings_file = project / "data" / "findings.yaml"
        findings_file.write_text(findings_file.read_text(encoding="utf-8") + "\n# edited by bench/run\n", "utf-8")
        edited = validation_run(runner, guide, work, project, timeout, "validate-edited")
        say(f"   after an edit to findings.yaml (that file parsed and checked again): {edited.figure()}")
        steps_table(edited.steps)
        if warm and median(warm) > 0.5:
            profile = validation_run(runner, guide, work, project, timeout, "validate-profile-warm", mode="profile")
            say("   cProfile of a warm load_guide (profiling slows it; compare shares, not seconds):")
            print_profile(profile.run, guide)
    else:
        edited = None
    shutil.rmtree(project, ignore_errors=True)

    # The cold path: growth between two sizes without any cache, and its profile.
    small, small_counts = make_validation_data(guide, work, profile_findings)
    large, large_counts = make_validation_data(guide, work, profile_findings * 3)
    cold_small = validation_run(runner, guide, work, small, timeout, "validate-cold-small", cache=False)
    cold_large = validation_run(runner, guide, work, large, timeout, "validate-cold-large", cache=False)
    f1, f3 = small_counts["findings"], large_counts["findings"]
    if cold_small.total and cold_large.total:
        say(
            f"   cold growth (AIGUIDE_NO_CACHE=1): {f1:,} findings {cold_small.total:.2f} s, {f3:,} findings "
            f"{cold_large.total:.2f} s: x{cold_large.total / cold_small.total:.1f} for x{f3 / f1:.1f} the data "
            f"(quadratic would be x{(f3 / f1) ** 2:.1f})"
        )
    profile = validation_run(runner, guide, work, small, timeout, "validate-profile", cache=False, mode="profile")
    say(f"   cProfile of a cold load_guide at {f1:,} findings (profiling slows it; compare shares, not seconds):")
    print_profile(profile.run, guide)
    shutil.rmtree(small, ignore_errors=True)
    shutil.rmtree(large, ignore_errors=True)
    others = f"; first run {first.figure()}" + (f", after editing findings.yaml {edited.figure()}" if edited else "")
    target(
        f"load_guide at {counts['findings']:,} findings <= 0.5 s (warm cache)",
        bool(warm) and median(warm) <= 0.5,
        (f"median {median(warm):.2f} s (N={len(warm)})" if warm else "not measured") + others,
    )


# ----------------------------------------------------------------------------- 4. PDF


def bench_pdf(runner: Runner, guide: Guide, work: Path, html_seconds: float, n: int) -> tuple[Path | None, Path | None]:
    """What the PDF adds to `make site`, cold and warm, against the HTML build; the print step on its own too.

    Returns the PDF and a site built exactly as `make site` builds it (for page weights and Lighthouse).
    """
    heading("3. PDF: what `make site` adds to the HTML build to print the whole guide")
    if not CHROMIUM.is_file():
        say(f"   skipped: {CHROMIUM} is missing")
        target("PDF build <= 2x HTML build", None, "not measured (no Chromium)")
        return None, None
    say("   `make site` starts Chromium while MkDocs builds, then joins the built pages into print_page.html")
    say("   (aiguide.printbook) and prints it: a placing print that draws nothing, to number the contents, then the")
    say("   tagged print. PDF build = median of `python -m aiguide.build` minus median of the same with --no-pdf,")
    say("   alternated; cold = no layout cache (both prints, as after an edit that moves a page), warm = the same")
    say("   page printed again (one print). HTML build = the median of section 1.")
    layout_cache = guide.path / ".cache" / "aiguide" / "last-print.pdf-pages.marshal"  # aiguide.pdf.PAGES_CACHE
    sites = {kind: work / f"site-{kind}" for kind in ("html", "cold", "warm")}
    runs: dict[str, list[Run]] = {kind: [] for kind in sites}
    for index in range(n):
        for kind, site in sites.items():
            if kind == "cold":
                layout_cache.unlink(missing_ok=True)
            command = [PYTHON, "-m", "aiguide.build", "--project", guide.path, "--site-dir", site]
            command += ["--no-pdf"] if kind == "html" else []
            run = runner.run(command, cwd=guide.path, env=base_env(), name=f"site-{kind}-{index}")
            runs[kind].append(must(run, f"the {kind} site build"))
    if not layout_cache.is_file():
        raise SystemExit(f"bench: the PDF step left no {layout_cache.name}; the warm runs were not warm")
    pipeline = median([r.seconds for r in runs["html"]])
    added = {kind: max(0.0, median([r.seconds for r in runs[kind]]) - pipeline) for kind in ("cold", "warm")}
    for kind, label in (("html", "make html (--no-pdf)"), ("cold", "make site, cold"), ("warm", "make site, warm")):
        steps = steps_of(runs[kind][-1])
        say(f"   {label}: {spread([r.seconds for r in runs[kind]])}; last run: {steps}")
    pdf = sites["warm"] / "downloads" / "guide.pdf"
    say(f"   PDF {kb(pdf.stat().st_size)}, {_pdf_pages(pdf)} pages")
    # The print step on its own, as one process (start-up, data, print page, Chromium's start and prints).
    alone = work / "guide-alone.pdf"
    solo = []
    for index in range(n):
        layout_cache.unlink(missing_ok=True)
        command = [PYTHON, "-m", "aiguide.pdf", sites["html"], alone, "--project", guide.path]
        solo.append(must(runner.run(command, cwd=guide.path, env=base_env(), name=f"pdf-alone-{index}"), "the PDF"))
    say(
        f"   python -m aiguide.pdf on its own, cold: {spread([r.seconds for r in solo])};"
        f" peak RSS {max(r.max_rss_kb for r in solo) / 1024:.0f} MB"
    )
    ratio = {kind: seconds / html_seconds for kind, seconds in added.items()}
    say(
        f"   PDF build cold +{added['cold']:.2f} s, warm +{added['warm']:.2f} s; HTML {html_seconds:.2f} s;"
        f" ratio cold {ratio['cold']:.2f}, warm {ratio['warm']:.2f}"
    )
    target(
        "PDF build <= 2x HTML build",
        ratio["cold"] <= 2.0,
        f"cold +{added['cold']:.2f} s / HTML {html_seconds:.2f} s = {ratio['cold']:.2f}"
        f" (warm +{added['warm']:.2f} s = {ratio['warm']:.2f})",
    )
    for kind in ("html", "cold"):
        shutil.rmtree(sites[kind], ignore_errors=True)
    return pdf, sites["warm"]


def _pdf_pages(pdf: Path) -> str:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
        if match:
            return match.group(1)
    return str(len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())))


# ----------------------------------------------------------------------------- 5. page weights


_ASSET = re.compile(r"""<(?:link[^>]+href|script[^>]+src)="([^"#?]+\.(?:css|js))[^"]*\"""")


def bench_weights(guide: Guide, site: Path, pdf: Path | None) -> None:
    heading("4. Page weights (the 1x site as published; gzip level 6 and 9)")
    built_by = "the whole `make site` pipeline (section 3)" if pdf else "python -m aiguide.build --no-pdf"
    say(f"   site built by {built_by}")
    entries = [
        ("home page", site / "index.html"),
        (f"theme page ({guide.first_theme})", site / "themes" / guide.first_theme / "index.html"),
        ("assessment page", site / "assessment" / "index.html"),
        ("search/search_index.json", site / "search" / "search_index.json"),
        ("search/search_index.js", site / "search" / "search_index.js"),
    ]
    if pdf is not None:
        entries.append(("PDF (guide.pdf)", pdf))
    rows = []
    for label, path in entries:
        if not path.is_file():
            rows.append([label, "missing", "", ""])
            continue
        data = path.read_bytes()
        rows.append([label, f"{len(data):,}", f"{gz(data):,}", f"{gz(data, 9):,}"])
    table(rows, ["file", "bytes", "gzip -6", "gzip -9"])
    say("   with the CSS and JS each page links (same-site, first visit, no cache; the search index loads on")
    say("   first use of search and is not counted):")
    rows = []
    for label, path in entries[:3]:
        html = path.read_text(encoding="utf-8")
        assets = sorted({(path.parent / ref).resolve() for ref in _ASSET.findall(html)})
        assets = [a for a in assets if a.is_file()]
        total = len(html.encode()) + sum(a.stat().st_size for a in assets)
        zipped = gz(html.encode()) + sum(gz(a.read_bytes()) for a in assets)
        rows.append([label, len(assets), f"{total:,}", f"{zipped:,}"])
    table(rows, ["page", "css+js files", "bytes", "gzip -6"])


def bench_assessment_js(guide: Guide) -> None:
    heading("5. Assessment script size")
    path = guide.path / "docs" / "assets" / "javascripts" / "assessment.js"
    data = path.read_bytes()
    say(
        f"   docs/assets/javascripts/assessment.js: {len(data):,} bytes, gzip -6 {gz(data):,} bytes, "
        f"gzip -9 {gz(data, 9):,} bytes"
    )
    target("assessment.js gzipped <= 15 KB", gz(data) <= 15 * 1024, f"{gz(data):,} bytes gzip -6 (limit 15,360)")


# ----------------------------------------------------------------------------- 6. Lighthouse


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped like a static host (GitHub Pages) does for text types."""

    cache: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if (
            not os.path.isfile(path)
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not (
                ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml")
            )
        ):
            return super().send_head()
        if path not in self.cache:
            with open(path, "rb") as f:
                self.cache[path] = gzip.compress(f.read(), compresslevel=6, mtime=0)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def npm_ci(runner: Runner) -> bool:
    package = BENCH_DIR / "node_modules" / "lighthouse" / "package.json"
    stamp = BENCH_DIR / "node_modules" / ".package-lock.json"
    lock = BENCH_DIR / "package-lock.json"
    fresh = package.is_file() and stamp.is_file() and stamp.stat().st_mtime >= lock.stat().st_mtime
    if fresh and json.loads(package.read_text())["version"] == LIGHTHOUSE_VERSION:
        return True
    say(f"   npm ci (lighthouse@{LIGHTHOUSE_VERSION} into bench/node_modules) ...")
    run = runner.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH_DIR, env=base_env(), name="npm-ci"
    )
    if not run.ok:
        say(f"   npm ci failed (exit {run.returncode}); see {run.log}")
        return False
    say(f"   npm ci took {run.seconds:.0f} s")
    return True


def lighthouse_details(report: dict) -> list[str]:
    """What to fix: the elements behind failing non-performance audits, and the biggest performance savings."""
    audits, lines = report["audits"], []
    for category in ("accessibility", "best-practices", "seo"):
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) <= 0 or audit.get("score") in (None, 1):
                continue
            items = (audit.get("details") or {}).get("items") or []
            lines.append(f"{ref['id']}: {len(items)} element(s), e.g.")
            for item in items[:2]:
                node = item.get("node") or {}
                explanation = " ".join((node.get("explanation") or "").split())
                explanation = explanation.replace("Fix any of the following: ", "")
                lines.append(f"   {node.get('selector', '?')}: {explanation[:170]}")
    savings = []
    for key, audit in audits.items():
        metric = audit.get("metricSavings") or {}
        best = max(
            (v for k, v in metric.items() if k in ("FCP", "LCP", "TBT") and isinstance(v, int | float)), default=0
        )
        if best >= 50 and (audit.get("score") is None or audit["score"] < 1):
            savings.append((best, f"{key}: {audit.get('displayValue') or ''} {metric}".strip()))
    for _, line in sorted(savings, reverse=True)[:4]:
        lines.append(f"perf: {line}")
    blocking = (audits.get("render-blocking-resources", {}).get("details") or {}).get("items") or []
    if blocking:
        names = ", ".join(f"{item['url'].rsplit('/', 1)[-1]} ({item.get('wastedMs', 0):.0f} ms)" for item in blocking)
        lines.append(f"perf: render-blocking: {names}")
    return lines or ["(nothing to report)"]


CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
WANTED = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}


def bench_lighthouse(runner: Runner, guide: Guide, work: Path, site: Path, runs: int) -> None:
    heading(f"6. Lighthouse {LIGHTHOUSE_VERSION} (mobile, simulated throttling) on the 1x site as published")
    if not shutil.which("node") or not shutil.which("npm") or not CHROMIUM.is_file():
        say("   skipped: needs node, npm and Chromium (see python3 -m aiguide.tools chromium)")
        target("Lighthouse perf >= 98, a11y/best practices/SEO 100", None, "not measured")
        return
    if not npm_ci(runner):
        target("Lighthouse perf >= 98, a11y/best practices/SEO 100", None, "not measured (npm ci failed)")
        return
    server = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    say(f"   serving the site on http://127.0.0.1:{port}/ (gzip for text, like a static host)")
    pages = [  # one page of every kind
        ("home", "index.html"),
        (f"theme {guide.first_theme}", f"themes/{guide.first_theme}/index.html"),
        (f"theme group {guide.first_group}", f"themes/by-domain/{guide.first_group}/index.html"),
        (f"role {guide.first_role}", f"roles/{guide.first_role}/index.html"),
        (f"step {guide.first_phase}", f"phases/{guide.first_phase}/index.html"),
        ("findings", "findings/index.html"),
        ("checklists", "checklists/index.html"),
        ("assessment", "assessment/index.html"),
        ("FAQ", "faq/index.html"),
        ("sources", "sources/index.html"),
        ("method", "method/index.html"),
        ("downloads", "downloads/index.html"),
        ("questions for suppliers", "vendor-questions/index.html"),
        *(
            [(f"law {guide.first_jurisdiction}", f"law/{guide.first_jurisdiction}/index.html")]
            if guide.first_jurisdiction
            else []
        ),
        *(
            [(f"calculator {guide.first_calculator}", f"calculators/{guide.first_calculator}/index.html")]
            if guide.first_calculator
            else []
        ),
    ]
    cli = BENCH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    results = []
    try:
        for label, page in pages:
            reports, seconds = [], 0.0
            for attempt in range(runs):
                out = work / f"lighthouse-{len(results)}-{attempt}.json"
                run = runner.run(
                    [
                        "node",
                        cli,
                        f"http://127.0.0.1:{port}/{page}",
                        "--chrome-flags=--headless --no-sandbox --disable-gpu",
                        f"--only-categories={','.join(CATEGORIES)}",
                        "--output=json",
                        f"--output-path={out}",
                        "--quiet",
                    ],
                    cwd=work,
                    env={**base_env(), "CHROME_PATH": str(CHROMIUM)},
                    timeout=240,
                    name=f"lighthouse-{len(results)}-{attempt}",
                )
                seconds += run.seconds
                if not run.ok or not out.is_file():
                    say(f"   {label}: Lighthouse failed (exit {run.returncode}); see {run.log}")
                    continue
                reports.append(json.loads(out.read_text(encoding="utf-8")))
            if not reports:
                results.append((label, None, seconds, []))
                continue
            # The run with the median performance score stands for the page (Lighthouse's own advice for variance).
            reports.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
            perf = [round((r["categories"]["performance"]["score"] or 0) * 100) for r in reports]
            results.append((label, reports[len(reports) // 2], seconds, perf))
    finally:
        server.shutdown()
        server.server_close()
    rows, all_ok, measured = [], True, True
    for label, report, seconds, _ in results:
        if report is None:
            rows.append([label, "-", "-", "-", "-", f"{seconds:.0f}"])
            measured = False
            continue
        scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
        all_ok &= all(scores[c] >= WANTED[c] for c in CATEGORIES)
        rows.append([label, *[scores[c] for c in CATEGORIES], f"{seconds:.0f}"])
    table(rows, ["page", "performance", "accessibility", "best practices", "SEO", "total run s"])
    if runs > 1:
        say(
            f"   {runs} runs per page; the run with the median performance score is shown: performance per run "
            + "; ".join(f"{label} {'/'.join(map(str, perf))}" for label, _, _, perf in results)
        )
    for label, report, _, _ in results:
        if report is None:
            continue
        audits = report["audits"]
        metrics = ", ".join(
            f"{name} {audits[key]['displayValue']}"
            for name, key in (
                ("FCP", "first-contentful-paint"),
                ("LCP", "largest-contentful-paint"),
                ("TBT", "total-blocking-time"),
                ("CLS", "cumulative-layout-shift"),
                ("SI", "speed-index"),
            )
            if key in audits and audits[key].get("displayValue")
        )
        say(f"   {label}: {metrics}")
        failing = []
        for category in CATEGORIES:
            for ref in report["categories"][category]["auditRefs"]:
                audit = audits.get(ref["id"], {})
                if (
                    ref.get("weight", 0) > 0
                    and audit.get("score") is not None
                    and audit["score"] < 1
                    and audit.get("scoreDisplayMode") in ("binary", "numeric")
                ):
                    failing.append(f"{category}/{ref['id']} ({audit['score']:.2f})")
        if failing:
            say(f"      below full marks: {', '.join(failing)}")
        say("      " + "\n      ".join(lighthouse_details(report)))
    target(
        f"Lighthouse perf >= 98, a11y/best practices/SEO 100 ({len(pages)} kinds of page)",
        all_ok if measured else None,
        "; ".join(
            f"{label} " + "/".join(str(cell) for cell in row[1:5])
            for (label, *_), row in zip(results, rows, strict=True)
        ),
    )


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=2 instead of 5 (and fewer PDF/validation runs)")
    parser.add_argument("-n", type=int, default=None, help="runs of each build in section 1 (default 5, --quick 2)")
    parser.add_argument("--scales", default="10,100", help="scale factors for section 2 (default 10,100)")
    parser.add_argument("--validate-findings", type=int, default=10_000, help="findings for section 3")
    parser.add_argument(
        "--full-nav",
        action="store_true",
        help="also build 100x with 1,900 theme pages (slow: many minutes)",
    )
    parser.add_argument(
        "--build-timeout",
        type=float,
        default=450,
        help="cut off each scaled build after this many seconds (default 450)",
    )
    parser.add_argument(
        "--validate-timeout",
        type=float,
        default=90,
        help="cut off each validation run after this many seconds (default 90)",
    )
    parser.add_argument(
        "--profile-findings",
        type=int,
        default=1_000,
        help="findings for the cProfile of load_guide (default 1,000)",
    )
    parser.add_argument(
        "--ref", default=None, help="benchmark this commit (git archive) instead of a copy of the work tree"
    )
    parser.add_argument(
        "--profile-build",
        type=int,
        default=0,
        metavar="K",
        help="also profile (cProfile) the mkdocs build of the data at K times (e.g. 30; about 2 minutes)",
    )
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument(
        "--only",
        type=lambda text: [part.strip() for part in text.split(",") if part.strip()],
        default=list(SECTIONS),
        help=f"run only these sections, comma-separated (default all: {','.join(SECTIONS)})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, sites)")
    args = parser.parse_args(argv)
    if unknown := set(args.only) - set(SECTIONS):
        parser.error(f"--only: unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    n = args.n or (2 if args.quick else 5)
    small_n = min(n, 3)

    if not PYTHON.is_file():
        raise SystemExit("bench: .venv is missing; run `make html` once first")
    work = Path(tempfile.mkdtemp(prefix="aiguide-bench-"))
    runner = Runner(work)
    started = time.perf_counter()
    try:
        rev = (
            subprocess.run(
                ["git", "-C", str(PROJECT_DIR), "describe", "--always", "--dirty"], capture_output=True, text=True
            ).stdout.strip()
            or "?"
        )
        versions = subprocess.run(
            [
                PYTHON,
                "-c",
                "import importlib.metadata as m;print(', '.join(p+' '+m.version(p) "
                "for p in ('mkdocs','mkdocs-material','mkdocs-macros-plugin','PyYAML','jsonschema')))",
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
        what = f"commit {args.ref}" if args.ref else f"work tree at {rev}"
        say(f"aiguide benchmark  {time.strftime('%Y-%m-%d %H:%M:%S')}  {what}  N={n}")
        say(f"python {sys.version.split()[0]}; {versions}; work folder {work}")
        guide = snapshot(work, args.ref)
        sys.path.insert(0, str(guide.path))  # import the snapshot's aiguide (same code as the builds)
        say(
            "real guide: "
            + ", ".join(f"{v} {name}" for name, v in guide.counts.items())
            + f"; data {kb(guide.data_bytes)}"
        )

        wanted = set(args.only)
        if "macros" in wanted:
            html_seconds = bench_macros(runner, guide, work, n)
        else:
            runs = [mkdocs_build(runner, guide.path, work / "site-html", guide, f"html-{i}") for i in range(small_n)]
            html_seconds = median([must(r, "the HTML build").seconds for r in runs])
            say(f"\n   (section 1 not selected) HTML build: {spread([r.seconds for r in runs])}")

        heading("2. The full HTML pipeline once: python -m aiguide.build --no-pdf (= make html without make check)")
        one = scale_point(runner, guide, work, 1)
        say(
            f"   {one.run.seconds:.2f} s wall ({steps_of(one.run)}), peak RSS {one.run.max_rss_kb / 1024:.0f} MB, "
            f"{one.pages} pages, site {mb(one.site_bytes)}"
        )
        site = work / "site-x1"

        pdf, published = bench_pdf(runner, guide, work, html_seconds, small_n) if "pdf" in wanted else (None, None)
        # Weights and Lighthouse look at the site as published: `make site`, when the PDF section built it.
        published = published or site
        if "weights" in wanted:
            bench_weights(guide, published, pdf)
            bench_assessment_js(guide)
        if "lighthouse" not in wanted or args.no_lighthouse:
            target("Lighthouse perf >= 98, a11y/best practices/SEO 100", None, "not run")
        else:
            bench_lighthouse(runner, guide, work, published, 1 if args.quick else 3)
        if "scaling" in wanted:
            scales = [int(x) for x in args.scales.split(",") if x.strip()]
            bench_scaling(runner, guide, work, one, scales, args.full_nav, args.build_timeout)
        if args.profile_build:
            bench_profile_build(runner, guide, work, args.profile_build)
        if "validation" in wanted:
            bench_validation(
                runner,
                guide,
                work,
                1 if args.quick else small_n,
                args.validate_findings,
                args.validate_timeout,
                args.profile_findings,
            )
    finally:
        if args.keep:
            say(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    heading(f"Targets (whole run {time.perf_counter() - started:.0f} s)")
    failed = 0
    for name, passed, figures in TARGETS:
        word = "SKIP" if passed is None else ("PASS" if passed else "FAIL")
        failed += passed is False
        say(f"{word}  {name}: {figures}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
