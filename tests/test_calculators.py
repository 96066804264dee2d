"""The decision calculators: formulas against hand-worked cases, input checks, bad data, pages and the browser.

The hand-worked cases below are written out from the arithmetic (or from a published example), never taken
from the code under test. The browser tests then hold the page scripts to the Python results, which the
pages also print in their worked examples.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from aiguide import calculators as calc
from aiguide.cli import main
from aiguide.model import Calculator, CalculatorInput, GuideData

from .conftest import PROJECT_DIR, tiny_data_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

SCRIPTS = PROJECT_DIR / "docs" / "assets" / "javascripts"
CALCULATOR_IDS = ("alerts", "sample-size", "cost")
MAX_GZIPPED = 15 * 1024


def values(calculator: Calculator, **overrides) -> dict:
    """Parsed values: the calculator's defaults with some inputs or choices replaced (ids with _ for -)."""
    texts = {spec.id: calc.input_text(spec.default) for spec in calculator.inputs}
    choices = {choice.id: choice.default for choice in calculator.choices}
    for key, value in overrides.items():
        key = key.replace("_", "-")
        (choices if key in choices else texts)[key] = value if isinstance(value, str) else calc.input_text(value)
    parsed, errors = calc.read_values(calculator, texts, choices)
    assert errors == {}, errors
    return parsed


@pytest.fixture(scope="module")
def calcs(guide: GuideData) -> dict[str, Calculator]:
    assert set(guide.calculator) == set(CALCULATOR_IDS)
    return guide.calculator


# ============================================================================ the formulas, worked by hand


def test_alerts_hand_worked_case(calcs) -> None:
    # 100 studies a day, 2% with the finding: 2 positives and 98 negatives a day.
    # True alerts 2 × 0.90 = 1.8; false alerts 98 × 0.05 = 4.9; missed 2 × 0.10 = 0.2 a day, × 21 = 4.2 a month.
    out = calc.evaluate(
        calcs["alerts"],
        values(calcs["alerts"], sensitivity=90, specificity=95, prevalence=2, studies_per_day=100, working_days=21),
    )
    r = out.results
    assert r["true-alerts"] == pytest.approx(1.8)
    assert r["false-alerts"] == pytest.approx(4.9)
    assert r["all-alerts"] == pytest.approx(6.7)
    assert r["false-per-true"] == pytest.approx(4.9 / 1.8)
    assert r["ppv"] == pytest.approx(100 * 1.8 / 6.7)  # 26.87%
    assert r["npv"] == pytest.approx(100 * 93.1 / 93.3)  # 93.1 true negatives of 93.3 unflagged
    assert r["missed-per-month"] == pytest.approx(4.2)
    assert out.remarks == []


def test_alerts_reproduce_the_published_liver_scan_example(calcs) -> None:
    """Altman and Bland's note: 231 of 263 abnormal scans and 54 of 81 normal scans were right (prevalence 0.75);
    at a prevalence of 0.25 the note gives predictive values of 0.45 and 0.95."""
    sensitivity = 100 * 231 / (231 + 27)  # 27 abnormal cases among the 81 normal scans
    specificity = 100 * 54 / (54 + 32)  # 32 normal cases among the 263 abnormal scans
    study = calc.alerts(values(calcs["alerts"], sensitivity=sensitivity, specificity=specificity, prevalence=75))
    assert study.results["ppv"] == pytest.approx(100 * 231 / 263)
    assert study.results["npv"] == pytest.approx(100 * 54 / 81)
    rarer = calc.alerts(values(calcs["alerts"], sensitivity=sensitivity, specificity=specificity, prevalence=25))
    assert round(rarer.results["ppv"] / 100, 2) == 0.45
    assert round(rarer.results["npv"] / 100, 2) == 0.95


@pytest.mark.parametrize(
    ("case", "expected", "undefined", "remark"),
    [
        (
            {"prevalence": 0},
            {"true-alerts": 0, "false-alerts": 5, "ppv": 0, "npv": 100, "missed-per-month": 0},
            {"false-per-true": "no true alerts"},
            "At 0% prevalence",
        ),
        (
            {"prevalence": 100},
            {"true-alerts": 90, "false-alerts": 0, "ppv": 100, "npv": 0, "missed-per-month": 210},
            {},
            "At 100% prevalence",
        ),
        ({"sensitivity": 100}, {"true-alerts": 2, "missed-per-month": 0, "npv": 100}, {}, "sensitivity of 100%"),
        ({"specificity": 100}, {"false-alerts": 0, "ppv": 100, "false-per-true": 0}, {}, "specificity of 100%"),
        (
            {"studies_per_day": 0},
            {"true-alerts": 0, "false-alerts": 0, "missed-per-month": 0},
            {"false-per-true": "no true alerts"},
            "With no studies",
        ),
        ({"prevalence": 0, "specificity": 100}, {"false-alerts": 0}, {"ppv": "no alerts at all"}, "At 0%"),
        ({"prevalence": 100, "sensitivity": 100}, {"missed-per-month": 0}, {"npv": "flag every study"}, "At 100%"),
    ],
)
def test_alerts_edge_cases_give_numbers_or_a_reason(calcs, case, expected, undefined, remark) -> None:
    # Starting from 90% / 95%, 100 studies a day and 21 days a month.
    case = {"sensitivity": 90, "specificity": 95, "studies_per_day": 100, "working_days": 21, **case}
    out = calc.alerts(values(calcs["alerts"], **case))
    for key, value in expected.items():
        assert out.results[key] == pytest.approx(value, abs=1e-9), key
    for key, reason in undefined.items():
        assert out.results[key] is None and reason in out.why[key], key
    assert any(remark in text for text in out.remarks), out.remarks
    assert all(value is None or math.isfinite(value) for value in out.results.values())


def test_sample_size_hand_worked_case(calcs) -> None:
    # z(95%) = 1.96. Positives: 1.96² × 0.90 × 0.10 ÷ 0.05² = 138.3 -> 139; negatives: 1.96² × 0.85 × 0.15 ÷ 0.05²
    # = 195.9 -> 196. Totals: 139 ÷ 0.10 = 1,390 and 196 ÷ 0.90 = 217.8 -> 218; the larger is 1,390, of which
    # 139 positive.
    out = calc.evaluate(
        calcs["sample-size"],
        values(
            calcs["sample-size"],
            sensitivity=90,
            specificity=85,
            prevalence=10,
            precision=5,
            precision_kind="half-width",
            confidence="95",
        ),
    )
    r = out.results
    assert r["z"] == pytest.approx(1.96, abs=5e-4)
    assert (r["positives-needed"], r["negatives-needed"]) == (139, 196)
    assert (r["total-for-sensitivity"], r["total-for-specificity"], r["total"]) == (1390, 218, 1390)
    assert r["expected-positives"] == pytest.approx(139)
    assert r["half-width"] == pytest.approx(5)


def test_sample_size_full_width_and_other_confidence_levels(calcs) -> None:
    sample = calcs["sample-size"]
    width = calc.evaluate(sample, values(sample, precision=10, precision_kind="width", confidence="95"))
    assert width.results["half-width"] == pytest.approx(5)
    assert width.results["positives-needed"] == 139  # a 10-point-wide interval is ±5 points
    # z(99%) = 2.576: 2.576² × 0.09 ÷ 0.0025 = 238.9 -> 239. z(90%) = 1.645: 1.645² × 0.09 ÷ 0.0025 = 97.4 -> 98.
    assert calc.evaluate(sample, values(sample, confidence="99")).results["positives-needed"] == 239
    assert calc.evaluate(sample, values(sample, confidence="90")).results["positives-needed"] == 98


@pytest.mark.parametrize(
    ("case", "undefined"),
    [
        ({"sensitivity": 100}, ["positives-needed", "total-for-sensitivity", "total", "expected-positives"]),
        ({"specificity": 0}, ["negatives-needed", "total-for-specificity", "total"]),
        ({"prevalence": 0}, ["total-for-sensitivity", "total"]),
        ({"prevalence": 100}, ["total-for-specificity", "total"]),
    ],
)
def test_sample_size_edge_cases_are_not_defined_with_a_reason(calcs, case, undefined) -> None:
    out = calc.evaluate(calcs["sample-size"], values(calcs["sample-size"], **case))
    for key in undefined:
        assert out.results[key] is None and out.why[key].startswith("Not defined"), key
    assert all(value is None or math.isfinite(value) for value in out.results.values())
    if case == {"prevalence": 0}:
        assert "no positive cases" in out.why["total-for-sensitivity"]
        assert out.results["total-for-specificity"] == 196  # 196 ÷ (1 − 0): every case is negative


def test_cost_subscription_hand_worked_case(calcs) -> None:
    # Year 1: 40,000 + 30,000 integration + (10,000 + 6,000) hardware and hosting + 15,000 validation
    # + 8,000 training + 12 h × 12 months × 70 = 10,080 monitoring = 119,080.
    # Years 2-5: 40,000 + 6,000 + 2,000 refresher + 10,080 = 58,080. Five years: 119,080 + 4 × 58,080 = 351,400.
    out = calc.cost(
        values(
            calcs["cost"],
            licence_model="subscription",
            years=5,
            subscription_fee=40000,
            integration=30000,
            hardware=10000,
            hosting=6000,
            validation=15000,
            training=8000,
            refresher_training=2000,
            monitoring_hours=12,
            hourly_cost=70,
            savings_low=0,
            savings_base=20000,
            savings_high=45000,
        )
    )
    assert [row["total-cost"] for row in out.rows] == [119080, 58080, 58080, 58080, 58080]
    assert out.rows[0]["monitoring"] == 10080 and out.rows[0]["infrastructure"] == 16000
    assert out.results["total-cost"] == 351400
    assert out.results["net-low"] == 351400
    assert out.results["net-base"] == 351400 - 5 * 20000
    assert out.results["net-high"] == 351400 - 5 * 45000
    assert out.rows[1]["net-high"] == 58080 - 45000


def test_cost_per_study_and_one_off_licences(calcs) -> None:
    cost = calcs["cost"]
    per_study = calc.cost(
        values(cost, licence_model="per-study", years=3, fee_per_study=2, studies_per_year=20000, volume_change=10)
    )
    assert [row["licence"] for row in per_study.rows] == pytest.approx([40000, 44000, 48400])
    one_off = calc.cost(values(cost, licence_model="one-off", years=3, licence_price=120000, maintenance_rate=20))
    assert [row["licence"] for row in one_off.rows] == pytest.approx([120000, 24000, 24000])
    shrinking = calc.cost(
        values(cost, licence_model="per-study", years=2, fee_per_study=1, studies_per_year=1000, volume_change=-50)
    )
    assert [row["licence"] for row in shrinking.rows] == pytest.approx([1000, 500])


def test_cost_savings_out_of_order_are_flagged(calcs) -> None:
    out = calc.cost(values(calcs["cost"], savings_low=50000, savings_base=20000, savings_high=10000))
    assert out.remarks == ["The savings cases are not in order from low to high; check them."]


# ============================================================================ reading what a reader typed

SPEC = CalculatorInput("x", "Sensitivity", "%", 90, 0, 100, 0.1, "help")


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("90", 90.0, ""),
        (" 2.5 ", 2.5, ""),
        (".5", 0.5, ""),
        ("0", 0.0, ""),
        ("100", 100.0, ""),
        ("", None, "Enter a value for Sensitivity."),
        ("   ", None, "Enter a value for Sensitivity."),
        ("abc", None, "Sensitivity: enter a plain number such as 2.5"),
        ("12,5", None, "no spaces, commas, letters or units"),
        ("90%", None, "no spaces, commas, letters or units"),
        ("1e2", None, "no spaces, commas, letters or units"),
        ("NaN", None, "enter a plain number"),
        ("Infinity", None, "enter a plain number"),
        ("-5", None, "Sensitivity must be from 0 to 100."),
        ("100.01", None, "Sensitivity must be from 0 to 100."),
        ("9" * 40, None, "enter a plain number"),
        (None, None, "enter a plain number"),
        ({"a": 1}, None, "enter a plain number"),
        (True, None, "enter a plain number"),
    ],
)
def test_typed_values_are_checked_with_a_clear_message(text, value, message) -> None:
    parsed, error = calc.parse_value(text, SPEC)
    assert parsed == value
    assert (message in error) if message else error == ""


def test_optional_and_whole_number_fields() -> None:
    optional = CalculatorInput("s", "Low case", "a year", 0, 0, 1000, 1, "h", optional=True)
    assert calc.parse_value("", optional) == (0.0, "")
    whole = CalculatorInput("y", "Years", "years", 5, 1, 15, 1, "h", whole=True)
    assert calc.parse_value("2.5", whole) == (None, "Years must be a whole number.")
    assert calc.parse_value("3", whole) == (3.0, "")
    limits = CalculatorInput("m", "Money", "", 0, 0, 100000000, 1, "h")
    assert calc.parse_value("-1", limits)[1] == "Money must be from 0 to 100,000,000."


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (1234567.891, 2, "1,234,567.89"),
        (-12000.5, 0, "−12,001"),
        (2.5, 0, "3"),
        (0.004, 2, "0.00"),
        (-0.001, 1, "0.0"),
        (99.785, 1, "99.8"),
        (None, 1, ""),
        (float("nan"), 1, ""),
        (float("inf"), 0, ""),
    ],
)
def test_numbers_are_shown_rounded_half_up_with_separators(value, decimals, shown) -> None:
    assert calc.format_number(value, decimals) == shown


def test_csv_numbers_have_no_separators_and_a_plain_minus() -> None:
    assert calc.csv_number(-1234.5) == "-1234.50"
    assert calc.csv_number(None) == ""


# ============================================================================ bad data: one line, exit 1


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A project holding the tiny guide's data with the real schemas (all that `check` reads).

    The tiny guide's calculators.yaml is the real one citing the tiny guide's sources and findings; `check` reads
    the tiny guide several times faster than the real one.
    """
    return tiny_data_project(tmp_path)


def mutate(project: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the copy's calculators.yaml; return the line it was on."""
    path = project / "data" / "calculators.yaml"
    text = path.read_text(encoding="utf-8")
    offset = text.index(old)
    path.write_text(text[:offset] + new + text[offset + len(old) :], encoding="utf-8")
    return text.count("\n", 0, offset) + 1


def check_lines(project: Path, capsys) -> tuple[int, list[str]]:
    status = main(["--project", str(project), "check"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, [line for line in err.splitlines() if line.startswith("data/")]


SENSITIVITY_DEFAULT = "        help: Share of studies with the finding that the tool flags"
FIRST_DEFAULT = "        default: 90\n"  # the alerts calculator's sensitivity, its first input


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            "        default: .nan\n",
            "calculators[0].inputs[0].default: .nan is not a finite number; write an ordinary number",
        ),
        (
            "        default: .inf\n",
            "calculators[0].inputs[0].default: .inf is not a finite number; write an ordinary number",
        ),
        (
            "        default: -.inf\n",
            "calculators[0].inputs[0].default: -.inf is not a finite number; write an ordinary number",
        ),
        ("        default: 150\n", "calculators[0].inputs[0].default: 150 is outside the input's own range (0 to 100)"),
        ("        default: ninety\n", "calculators[0].inputs[0].default: must be a number, not text"),
    ],
    ids=["nan", "inf", "minus-inf", "out-of-range", "text"],
)
def test_bad_default_gives_one_line_and_exit_1(data_copy: Path, capsys, new: str, message: str) -> None:
    line = mutate(data_copy, FIRST_DEFAULT, new)
    status, lines = check_lines(data_copy, capsys)
    assert status == 1
    assert lines == [f"data/calculators.yaml:{line}: {message}"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      - id: prevalence\n",
            "      - id: prevalance\n",
            "'prevalance' is not one of the alerts calculator's inputs",
        ),
        ("        max: 100\n", "        max: 120\n", "a percentage must stay within 0 to 100"),
        ("        sensitivity: 90\n", "        sensitivity: 101\n", "101 is outside the input's own range (0 to 100)"),
        ('        confidence: "95"\n', '        confidence: "97"\n', "'97' is not an option of confidence"),
        ("        only_for: per-study\n", "        only_for: per-studies\n", "is not an option of any of this"),
        ("        default: 5\n        min: 1\n", "        default: 5.5\n        min: 1\n", "must be a whole number"),
        ("  - id: cost\n", "  - id: costs\n", "'costs' is not a calculator the guide has code for"),
    ],
    ids=[
        "unknown-input",
        "percent-above-100",
        "example-out-of-range",
        "unknown-option",
        "only-for",
        "whole",
        "unknown-calculator",
    ],
)
def test_data_the_code_cannot_use_is_reported_on_its_line(data_copy: Path, capsys, old, new, message) -> None:
    line = mutate(data_copy, old, new)
    status, lines = check_lines(data_copy, capsys)
    assert status == 1
    assert any(entry.startswith(f"data/calculators.yaml:{line}: ") and message in entry for entry in lines), lines


def test_removing_an_input_the_formulas_use_is_reported(data_copy: Path, capsys) -> None:
    path = data_copy / "data" / "calculators.yaml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"      - id: working-days\n(?:        .*\n)+", text)
    path.write_text(text[: block.start()] + text[block.end() :], encoding="utf-8")
    status, lines = check_lines(data_copy, capsys)
    assert status == 1
    assert any("calculators[0].inputs: the alerts calculator needs the input 'working-days'" in line for line in lines)


def test_citing_an_unknown_source_or_finding_is_reported(data_copy: Path, capsys) -> None:
    mutate(data_copy, "    findings: [WF-01]\n", "    findings: [FW-99]\n")
    mutate(data_copy, "      - source: STUDY2020\n", "      - source: SUPP-ALTMAN1995\n")
    status, lines = check_lines(data_copy, capsys)
    assert status == 1
    assert any("calculators[0].findings[0]: 'FW-99' is not a known finding" in line for line in lines), lines
    assert any("calculators[0].citations[0].source: 'SUPP-ALTMAN1995' is not a known source" in line for line in lines)


# ============================================================================ the built pages


def page_text(built_site: Path, name: str) -> str:
    return (built_site / "calculators" / name / "index.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    return html[html.index('<article class="md-content__inner') : html.index("</article>")]


def plain_text(html: str) -> str:
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_after(html: str, marker: str) -> list[list[str]]:
    """The cells of every table row after ``marker`` (up to the next h2)."""
    start = html.index(marker)
    end = html.find("<h2", start + 1)
    part = html[start : end if end > 0 else None]
    rows = re.findall(r"<tr>(.*?)</tr>", part, re.S)
    return [[plain_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


@pytest.mark.build
@pytest.mark.parametrize("name", CALCULATOR_IDS)
def test_page_shows_formulas_worked_example_and_sources_without_javascript(built_site: Path, calcs, name) -> None:
    html = page_text(built_site, name)
    calculator = calcs[name]
    body = article(html)
    assert calculator.title == plain_text(re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1)).rstrip(" ¶")
    text = plain_text(body)
    for formula in calculator.formulas:
        assert plain_text(formula) in text, formula
    example = calc.worked_example(calculator)
    rows = table_after(body, 'id="worked-example"')
    shown = {row[0]: row[1:] for row in rows}
    for row in example.inputs:
        assert shown[row.label] == [f"{row.value} {row.unit}".strip()], row
    if example.years:
        for cells in example.years:
            assert shown[cells[0]] == list(cells[1:]), cells
    else:
        for row in example.results:
            assert shown[row.label] == [f"{row.value} {row.unit}".strip()], row
    for citation in calculator.citations:
        assert f'href="../../sources/index.html#{citation.source.lower()}"' in body
    for finding in calculator.findings:
        assert f"#{finding.lower()}" in body
    # The form is there from the start with its starting values, so nothing moves when the script starts; without
    # scripts it is hidden and a line says so.
    assert re.search(r'<form id="calc-[a-z-]+-form" class="[^"]*\bag-needs-js\b', body)
    assert '<noscript><p class="ag-calc__nojs">' in body
    for choice in calculator.choices:
        assert re.search(rf'name="{choice.id}" value="{choice.default}" checked>', body), choice.id
    assert "NaN" not in text and "Infinity" not in text


@pytest.mark.build
def test_alerts_page_explains_false_alerts_and_links_the_finding(built_site: Path, guide) -> None:
    body = article(page_text(built_site, "alerts"))
    assert 'href="../../themes/workflow-integration/index.html#fw-03"' in body
    assert guide.finding["FW-03"].title in plain_text(body)


@pytest.mark.build
def test_cost_page_links_the_time_saving_findings(built_site: Path, guide) -> None:
    body = article(page_text(built_site, "cost"))
    cited = {f.id for f in guide.findings if any(c.source == "WENDEROTT2024-NPJ" for c in f.citations)}
    linked = {fid for fid in guide.calculator["cost"].findings if f"#{fid.lower()}" in body}
    efficiency = {fid for fid in linked if guide.finding[fid].theme == "efficiency-and-workload"}
    assert efficiency and efficiency <= cited


@pytest.mark.build
def test_overview_and_sources_page_link_the_calculators(built_site: Path, calcs) -> None:
    overview = article((built_site / "calculators" / "index.html").read_text(encoding="utf-8"))
    sources = (built_site / "sources" / "index.html").read_text(encoding="utf-8")
    for name, calculator in calcs.items():
        assert f'href="{name}/index.html"' in overview
        for citation in calculator.citations:
            entry = sources[sources.index(f'id="{citation.source.lower()}"') :]
            cited_by = entry[entry.index("Cited by") : entry.index("</dd>", entry.index("Cited by"))]
            assert f'href="../calculators/{name}/index.html"' in cited_by, citation.source


def test_scripts_stay_small() -> None:
    scripts = sorted(SCRIPTS.glob("calc-*.js"))
    assert {path.name for path in scripts} >= {f"calc-{name}.js" for name in CALCULATOR_IDS} | {"calc-core.js"}
    for path in scripts:
        assert len(gzip.compress(path.read_bytes(), 9)) <= MAX_GZIPPED, path.name


# ============================================================================ in the browser
#
# Page loads are what these tests spend their time on, so each worker keeps one page per calculator open in one
# browser context (``calculator_pages``). A test takes a page through the page's own reset (starting values, nothing
# saved, no figures in the address, no notice) and then loads it again only where the loading is what it tests:
# figures for the calculation itself reach the open page through its address fragment, as following a link does.


def page_url(base: str, name: str, fragment: str = "") -> str:
    return f"{base}calculators/{name}/index.html{fragment}"


def fragment(texts: dict[str, str]) -> str:
    return "#" + "&".join(f"{key}={quote(value, safe='')}" for key, value in texts.items())


class Watched:
    """A calculator page with console errors, uncaught exceptions and CSP violations collected."""

    def __init__(self, context: BrowserContext, url: str, name: str):
        self.errors: list[str] = []
        self.stacks: list[str] = []
        self.name = name
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("pageerror", lambda error: self.stacks.append(error.stack or ""))
        self.visit(url)

    def sel(self, suffix: str) -> str:
        return f"#calc-{self.name}-{suffix}"

    def visit(self, url: str, name: str | None = None) -> None:
        """Load ``url`` afresh and wait for the calculator; a link to the open page is not a load, so leave it first."""
        self.name = name or self.name
        if "#" in url:
            self.page.goto("about:blank")
        self.page.goto(url)
        self.page.wait_for_selector(f"{self.sel('results')}:not([hidden])")

    def forget_errors(self) -> None:
        self.errors.clear()
        self.stacks.clear()

    def start_over(self) -> None:
        """Press the page's reset (starting values, nothing saved, no figures in the link); forget errors so far."""
        self.announce_after(
            lambda: self.page.click(f"{self.sel('results')} [data-action=reset]"), "Back to the starting"
        )
        self.page.evaluate("window.__csp = []")
        self.forget_errors()

    def follow_link(self, texts: dict[str, str]) -> None:
        """Give the open page ``texts`` through its address fragment, which it reads as it does a link's."""
        assert texts, "an empty fragment carries no figures"
        change = (
            "hash => { history.replaceState(history.state, '', location.href.split('#')[0]); location.hash = hash; }"
        )
        self.announce_after(lambda: self.page.evaluate(change, fragment(texts)), "Figures taken from the link.")

    def announce_after(self, action: Callable[[], object], start: str) -> None:
        """Run ``action`` and wait until the live region, emptied first, announces a line beginning with ``start``."""
        live = self.sel("live")[1:]
        self.page.evaluate("id => { document.getElementById(id).textContent = ''; }", live)
        action()
        self.page.wait_for_function(
            "([id, start]) => document.getElementById(id).textContent.startsWith(start)", arg=[live, start]
        )

    def live(self) -> str:
        return self.page.text_content(self.sel("live"))

    def csp(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")

    def results(self) -> dict:
        """Result id -> (raw value or None, shown text) from the results table."""
        return self.page.eval_on_selector_all(
            f"{self.sel('output')} tr[data-result]",
            "rows => Object.fromEntries(rows.map(r => { const c = r.querySelector('td');"
            " return [r.dataset.result, [c.dataset.value === '' ? null : Number(c.dataset.value),"
            " c.textContent.trim()]]; }))",
        )

    def years(self) -> list[list]:
        """Each row of the cost table: its heading, then (raw value, shown text) per cell."""
        return self.page.eval_on_selector_all(
            f"{self.sel('output')} tr[data-year]",
            "rows => rows.map(r => [r.querySelector('th').textContent.trim(), ...Array.from(r.querySelectorAll('td'),"
            " c => [c.dataset.value === '' ? null : Number(c.dataset.value), c.textContent.trim()])])",
        )

    def remarks(self) -> list[str]:
        return self.page.eval_on_selector_all(
            f"{self.sel('output')} .ag-calc__remark", "ps => ps.map(p => p.textContent)"
        )


CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
ALERTS_STORAGE_KEY = "ai-imaging-guide:calculator:alerts"


def watched_context(browser: Browser) -> BrowserContext:
    """A fresh browser context (nothing saved) that records CSP violations on every page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_WATCH)
    return context


class CalculatorPages:
    """The pages this module's tests share on one worker: one per calculator, one for pages opened from elsewhere."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.context = context
        self.base = base
        self.calculators: dict[str, Watched] = {}
        self.elsewhere: Watched | None = None
        self.other: tuple[Page, list[str]] | None = None

    def fresh(self, name: str) -> Watched:
        """The calculator's page at its starting values with nothing saved, no notice and no errors so far."""
        url = page_url(self.base, name)
        watched = self.calculators.get(name)
        if watched is None:
            watched = self.calculators[name] = Watched(self.context, url, name)
        else:
            watched.page.bring_to_front()  # a tab left behind gets its frames late, and clicks wait for frames
            if not watched.page.is_visible(watched.sel("results")):  # a failed test left it elsewhere
                watched.visit(url, name)
        watched.start_over()
        return watched

    def first_visit(self, name: str) -> Watched:
        """The calculator's page just loaded without figures in its address and with nothing saved."""
        if name not in self.calculators:
            self.calculators[name] = Watched(self.context, page_url(self.base, name), name)
        else:
            self.fresh(name).visit(page_url(self.base, name))
        return self.calculators[name]

    def opened_from(self, url: str, name: str) -> Watched:
        """The calculator ``name`` loaded from ``url`` (a file, say) in its own kept page; earlier errors forgotten."""
        if self.elsewhere is None:
            self.elsewhere = Watched(self.context, url, name)
        else:
            self.elsewhere.page.bring_to_front()
            self.elsewhere.forget_errors()
            self.elsewhere.visit(url, name)
        return self.elsewhere

    def plain(self, url: str) -> tuple[Page, list[str]]:
        """A page of the site that is not a calculator, loaded in the page kept for that; with its uncaught errors."""
        if self.other is None:
            page = self.context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            self.other = (page, errors)
        page, errors = self.other
        page.bring_to_front()
        errors.clear()
        page.goto(url)
        page.wait_for_load_state("load")
        return page, errors


@pytest.fixture(scope="module")
def calculator_pages(browser: Browser, site_server: str) -> Iterator[CalculatorPages]:
    context = watched_context(browser)
    yield CalculatorPages(context, site_server)
    context.close()


def python_outcome(calculator: Calculator, texts: dict[str, str]):
    choices = {choice.id: texts.get(choice.id, choice.default) for choice in calculator.choices}
    parsed, errors = calc.read_values(calculator, texts, choices)
    assert errors == {}
    return calc.evaluate(calculator, parsed)


def expected_cell(value, decimals: int, unit: str, why: str = "") -> tuple:
    if value is None:
        return None, why
    return value, calc.format_number(value, decimals) + (f" {unit}" if unit else "")


def assert_same_as_python(watched: Watched, calculator: Calculator, texts: dict[str, str], case: str = "") -> None:
    out = python_outcome(calculator, texts)
    if out.rows:
        decimals = [result.decimals for result in calculator.results]
        expected = [
            [
                str(int(row["year"])),
                *(list(expected_cell(row[r.id], d, "")) for r, d in zip(calculator.results, decimals, strict=True)),
            ]
            for row in out.rows
        ]
        expected.append(
            ["Total", *(list(expected_cell(out.results[r.id], r.decimals, "")) for r in calculator.results)]
        )
        assert watched.years() == expected, case
    else:
        shown = watched.results()
        for result in calculator.results:
            value = out.results[result.id]
            want = expected_cell(value, result.decimals, result.unit, out.why.get(result.id, ""))
            assert tuple(shown[result.id]) == want, f"{case} {result.id}"  # the very same double, and the same text
    assert watched.remarks() == out.remarks, case


PARITY_CASES = {
    "alerts": [
        {},
        {
            "sensitivity": "87.3",
            "specificity": "91.7",
            "prevalence": "0.7",
            "studies-per-day": "243",
            "working-days": "22",
        },
        {"prevalence": "0"},
        {"prevalence": "100"},
        {"sensitivity": "100", "prevalence": "100"},
        {"specificity": "100", "prevalence": "0"},
        {"studies-per-day": "0"},
        {"sensitivity": "0", "specificity": "0"},
    ],
    "sample-size": [
        {},
        {"sensitivity": "97.5", "specificity": "62.3", "prevalence": "3.3", "precision": "2.7", "confidence": "99"},
        {"precision-kind": "width", "precision": "7", "confidence": "80"},
        {"sensitivity": "100"},
        {"prevalence": "0"},
        {"prevalence": "100", "confidence": "90"},
        {"precision": "0.1", "prevalence": "0.1"},
    ],
    "cost": [
        {},
        {
            "licence-model": "per-study",
            "years": "15",
            "fee-per-study": "1.37",
            "studies-per-year": "48211",
            "volume-change": "7.3",
            "monitoring-hours": "3.5",
            "hourly-cost": "81",
        },
        {"licence-model": "per-study", "years": "7", "volume-change": "-12.5"},
        {"licence-model": "one-off", "years": "1", "licence-price": "99999", "maintenance-rate": "17.5"},
        {"licence-model": "one-off", "years": "6", "savings-low": "", "savings-base": "90000", "savings-high": "1000"},
    ],
}


def assert_page_matches_python(watched: Watched, calculator: Calculator, case: dict[str, str]) -> None:
    """The page shows what Python works out for the starting figures changed by ``case``, and nothing broke."""
    defaults = {spec.id: calc.input_text(spec.default) for spec in calculator.inputs}
    assert_same_as_python(watched, calculator, {**defaults, **case}, f"figures {case}")
    text = watched.page.inner_text("article")
    assert "NaN" not in text and "Infinity" not in text and "undefined" not in text, case
    assert watched.errors == [] and watched.csp() == [], case


@pytest.mark.browser
@pytest.mark.parametrize("name", CALCULATOR_IDS)
def test_script_gives_the_python_results_for_the_same_figures(calculator_pages, calcs, name) -> None:
    """The starting figures as the page loads them; every other case reaches the open page through its link."""
    starting, *linked = PARITY_CASES[name]
    assert starting == {}, "each list of cases starts with the starting figures"
    watched = calculator_pages.first_visit(name)
    assert_page_matches_python(watched, calcs[name], starting)
    for case in linked:
        watched.follow_link(case)
        assert_page_matches_python(watched, calcs[name], case)


@pytest.mark.browser
@pytest.mark.parametrize("name", CALCULATOR_IDS)
def test_worked_example_on_the_page_equals_the_script_on_the_same_figures(calculator_pages, calcs, name):
    """The table Python printed at build time shows what the script shows for the example's figures."""
    calculator = calcs[name]
    texts, choices = calc.example_values(calculator)
    figures = {**choices, **{key: calc.input_text(value) for key, value in texts.items()}}
    watched = calculator_pages.fresh(name)
    watched.follow_link(figures)
    html = watched.page.inner_html("article")
    printed = {row[0]: row[1:] for row in table_after(html, 'id="worked-example"')}
    if calculator.results and watched.page.query_selector(f"{watched.sel('output')} tr[data-year]"):
        for row in watched.years():
            assert printed[row[0]] == [cell[1] for cell in row[1:]], row[0]
    else:
        for result_id, (_, shown) in watched.results().items():
            label = next(result.label for result in calculator.results if result.id == result_id)
            assert printed[label] == [shown], label
    assert watched.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("name", CALCULATOR_IDS)
def test_calculator_works_from_disk_under_its_csp(calculator_pages, built_site: Path, calcs, name) -> None:
    url = (built_site / "calculators" / name / "index.html").as_uri()
    watched = calculator_pages.opened_from(url, name)
    first = calcs[name].inputs[-1]
    watched.page.fill(f"{watched.sel(first.id)}", calc.input_text(first.min))
    watched.page.wait_for_function(
        "hash => location.hash.includes(hash)", arg=f"{first.id}={quote(calc.input_text(first.min), safe='')}"
    )
    assert (
        '<meta http-equiv="Content-Security-Policy"' in (built_site / "calculators" / name / "index.html").read_text()
    )
    assert watched.errors == [] and watched.csp() == []


@pytest.mark.browser
def test_figures_in_the_link_survive_a_reload_and_a_fresh_browser(browser, calculator_pages, site_server, calcs):
    watched = calculator_pages.fresh("alerts")
    page = watched.page
    page.fill("#calc-alerts-prevalence", "0.5")
    page.fill("#calc-alerts-specificity", "98")
    page.wait_for_function("() => location.hash.includes('prevalence=0.5') && location.hash.includes('specificity=98')")
    before = watched.results()
    link = page.url
    assert page.input_value("#calc-alerts-share") == link
    page.reload()
    page.wait_for_selector("#calc-alerts-results:not([hidden])")
    assert watched.results() == before and page.input_value("#calc-alerts-prevalence") == "0.5"
    fresh_context = browser.new_context()
    fresh = Watched(fresh_context, link, "alerts")
    assert fresh.results() == before
    assert fresh.page.input_value("#calc-alerts-specificity") == "98"
    assert fresh.live().startswith("Figures taken from the link.")
    fresh_context.close()
    # Saved in this browser: the page without the fragment comes back with the same figures.
    page.goto(page_url(site_server, "alerts"))
    page.wait_for_selector("#calc-alerts-results:not([hidden])")
    assert page.input_value("#calc-alerts-prevalence") == "0.5"
    assert watched.live().startswith("Your saved figures were restored.")
    page.click("[data-action=reset]")
    assert page.input_value("#calc-alerts-prevalence") == calc.input_text(calcs["alerts"].inputs[2].default)
    assert page.evaluate("key => localStorage.getItem(key)", ALERTS_STORAGE_KEY) is None
    assert watched.errors == []


HOSTILE_SAVED = {
    "not-json": ("{oops", "could not be read and were discarded"),
    "null": ("null", "could not be read and were discarded"),
    "array": ("[1, 2]", "could not be read and were discarded"),
    "values-null": ('{"values": null}', "could not be read and were discarded"),
    "values-array": ('{"values": ["90"]}', "could not be read and were discarded"),
    "values-string": ('{"values": "90"}', "could not be read and were discarded"),
    "wrong-types": (
        json.dumps(
            {
                "values": {
                    "sensitivity": {"x": 1},
                    "specificity": None,
                    "prevalence": 7,
                    "studies-per-day": "abc",
                    "working-days": "5",
                    "__proto__": "x",
                    "toString": "1",
                }
            }
        ),
        "6 saved figures could not be used and were discarded",
    ),
    "out-of-range": (json.dumps({"values": {"sensitivity": "250", "prevalence": "-1"}}), "2 saved figures"),
}


@pytest.mark.browser
@pytest.mark.parametrize("case", sorted(HOSTILE_SAVED))
def test_hostile_saved_figures_never_throw_and_are_discarded_with_a_notice(calculator_pages, site_server, calcs, case):
    stored, message = HOSTILE_SAVED[case]
    watched = calculator_pages.fresh("alerts")
    page = watched.page
    page.evaluate("([key, text]) => localStorage.setItem(key, text)", [ALERTS_STORAGE_KEY, stored])
    watched.visit(page_url(site_server, "alerts"))
    assert message in page.text_content("#calc-alerts-notice") and page.is_visible("#calc-alerts-notice")
    alerts = calcs["alerts"]
    kept = {"working-days": "5"} if case == "wrong-types" else {}
    for spec in alerts.inputs:
        assert page.input_value(f"#calc-alerts-{spec.id}") == kept.get(spec.id, calc.input_text(spec.default))
    assert_same_as_python(
        watched, alerts, {spec.id: page.input_value(f"#calc-alerts-{spec.id}") for spec in alerts.inputs}
    )
    assert watched.errors == []


@pytest.mark.browser
def test_storage_that_throws_does_not_stop_the_calculator(browser, site_server) -> None:
    context = browser.new_context()
    # As in a private window or with the storage full: every call throws.
    context.add_init_script(
        "for (const name of ['getItem', 'setItem', 'removeItem']) {"
        " Storage.prototype[name] = () => { throw new DOMException('blocked', 'QuotaExceededError'); }; }"
    )
    watched = Watched(context, page_url(site_server, "cost"), "cost")
    watched.page.fill("#calc-cost-years", "3")
    watched.page.wait_for_function("() => document.querySelectorAll('#calc-cost-output tr[data-year]').length === 4")
    assert "cannot be kept in this browser" in watched.page.text_content("#calc-cost-notice")
    # Material's own bundle lets the storage error escape; the calculator's scripts catch every one of theirs.
    assert not [stack for stack in watched.stacks if "/calc-" in stack], watched.stacks
    context.close()


@pytest.mark.browser
def test_malformed_link_restores_what_it_can_and_names_the_rest(calculator_pages, site_server: str) -> None:
    link = "#sensitivity=%E0%A4%A&specificity=500&bogus=1&prevalence=5&studies-per-day=1e3&working-days"
    watched = calculator_pages.fresh("alerts")
    watched.visit(page_url(site_server, "alerts", link))
    page = watched.page
    notice = page.text_content("#calc-alerts-notice")
    assert "5 parts of the link could not be used and were ignored" in notice
    for name in ("specificity", "bogus", "studies-per-day", "working-days"):
        assert f"\u201c{name}\u201d" in notice
    assert page.input_value("#calc-alerts-prevalence") == "5"
    assert watched.errors == []


EDGE_MESSAGES = [
    ("sensitivity", "", "Enter a value for Sensitivity."),
    ("specificity", "abc", "Specificity: enter a plain number such as 2.5"),
    ("prevalence", "-3", "Prevalence in your worklist must be from 0 to 100."),
    ("prevalence", "150", "Prevalence in your worklist must be from 0 to 100."),
    ("working-days", "2.5", "Working days a month must be a whole number."),
    ("studies-per-day", "1,000", "no spaces, commas, letters or units"),
]


@pytest.mark.browser
@pytest.mark.parametrize(("field", "typed", "message"), EDGE_MESSAGES)
def test_absurd_input_gives_a_message_tied_to_its_field(calculator_pages, field, typed, message) -> None:
    watched = calculator_pages.fresh("alerts")
    page = watched.page
    page.fill(f"#calc-alerts-{field}", typed)
    error = page.locator(f"#calc-alerts-{field}-error")
    error.wait_for(state="visible")
    assert message in error.text_content()
    assert page.get_attribute(f"#calc-alerts-{field}", "aria-invalid") == "true"
    assert f"calc-alerts-{field}-error" in page.get_attribute(f"#calc-alerts-{field}", "aria-describedby")
    assert watched.live().startswith("One field needs attention: ") and message in watched.live()
    assert page.query_selector("#calc-alerts-output table") is None
    text = page.inner_text("article")
    assert "NaN" not in text and "Infinity" not in text
    page.fill(f"#calc-alerts-{field}", "1")
    error.wait_for(state="hidden")
    assert page.get_attribute(f"#calc-alerts-{field}", "aria-invalid") is None
    assert watched.errors == []


@pytest.mark.browser
def test_choosing_a_licence_model_shows_only_its_fields(calculator_pages, calcs) -> None:
    watched = calculator_pages.fresh("cost")
    page = watched.page
    page.check('#calc-cost-licence-model input[value="one-off"]')
    assert page.is_visible("#calc-cost-licence-price") and page.is_hidden("#calc-cost-subscription-fee")
    assert page.is_disabled("#calc-cost-subscription-fee")
    page.wait_for_function("() => location.hash.includes('licence-model=one-off')")
    assert "subscription-fee" not in page.url
    defaults = {spec.id: calc.input_text(spec.default) for spec in calcs["cost"].inputs}
    assert_same_as_python(watched, calcs["cost"], {**defaults, "licence-model": "one-off"})


@pytest.mark.browser
def test_cost_table_downloads_as_csv(calculator_pages, calcs) -> None:
    case = {"licence-model": "per-study", "years": "4", "volume-change": "-7.5", "fee-per-study": "1.25"}
    watched = calculator_pages.fresh("cost")
    watched.follow_link(case)
    with watched.page.expect_download() as info:
        watched.page.click("[data-action=csv]")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff") and raw.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))
    cost = calcs["cost"]
    assert rows[0] == ["Year", *(result.label for result in cost.results)]
    defaults = {spec.id: calc.input_text(spec.default) for spec in cost.inputs}
    out = python_outcome(cost, {**defaults, **case})
    expected = [[str(int(row["year"])), *(calc.csv_number(row[r.id]) for r in cost.results)] for row in out.rows]
    expected.append(["Total", *(calc.csv_number(out.results[r.id]) for r in cost.results)])
    assert rows[1:] == expected
    assert watched.errors == []


@pytest.mark.browser
def test_keyboard_alone_changes_a_figure_and_the_result_is_announced(calculator_pages) -> None:
    watched = calculator_pages.first_visit("sample-size")  # just loaded: the focus starts at the top of the page
    page = watched.page
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "precision-kind":
            break
    else:
        pytest.fail("Tab never reached the first field of the calculator")
    assert page.evaluate("document.activeElement.value") == "half-width"
    page.keyboard.press("ArrowDown")  # the full width: ±2.5 points instead of ±5
    assert page.evaluate("document.activeElement.value") == "width"
    assert page.is_checked('input[name="precision-kind"][value="width"]')
    # 1.96² × 0.90 × 0.10 ÷ 0.025² = 553.2 -> 554 positive cases; ÷ 0.10 prevalence = 5,540 cases.
    page.wait_for_function("() => document.querySelector('#calc-sample-size-live').textContent.includes('5,540')")
    assert page.get_attribute("#calc-sample-size-live", "aria-live") == "polite"
    assert watched.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("other", ["index.html", "assessment/index.html", "print_page.html"])
def test_scripts_leave_other_pages_alone(calculator_pages, site_server: str, built_site: Path, other: str) -> None:
    assert (built_site / other).is_file(), f"the site has no {other}"
    page, errors = calculator_pages.plain(site_server + other)
    forms = page.evaluate(
        "() => [...document.querySelectorAll('.ag-calc form')].map(f => [f.hidden, f.dataset.agReady])"
    )
    if other == "print_page.html":  # the book keeps the worked examples and leaves the on-screen forms out
        assert forms == []
    assert all(hidden and ready is None for hidden, ready in forms), forms
    assert errors == []


@pytest.mark.build
def test_print_page_keeps_the_worked_examples_and_leaves_the_forms_out(built_site: Path, calcs) -> None:
    html = (built_site / "print_page.html").read_text(encoding="utf-8")
    for name, calculator in calcs.items():
        assert f'id="calc-{name}-form"' not in html and f'id="calc-{name}-results"' not in html, name
        example = calc.worked_example(calculator)
        text = plain_text(html[html.index(f'id="calculators-{name}--worked-example"') :])
        rows = [" ".join(cells) for cells in example.years] or [
            plain_text(f"{row.label} {row.value} {row.unit}") for row in example.results
        ]
        assert [row for row in rows if row not in text] == [], name
