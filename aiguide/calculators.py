"""The decision calculators' arithmetic, input checks and data checks, in plain Python.

The same rules run in the browser (``docs/assets/javascripts/calc-*.js``); the pages show the Python
results in their worked-example tables, built from ``data/calculators.yaml``, and the tests hold the two
to the same numbers. Every operation is written in the same order in both languages, so that both give
the same floating-point results.

Values reach the formulas as the reader typed them: percentages as 0–100, amounts as plain numbers.
A result the formulas cannot give (a division by zero, say) is ``None`` with a note saying why; no
function here ever returns NaN or infinity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from .problems import DataPath, Problem, format_path

if TYPE_CHECKING:
    from .loader import LoadedFile
    from .model import Calculator, CalculatorInput

# ----------------------------------------------------------------------------- what the code expects of the data


@dataclass(frozen=True)
class Contract:
    """The ids a calculator's formulas use: the data must hold exactly these."""

    inputs: tuple[str, ...]
    percent: tuple[str, ...]  # inputs read as percentages (0 to 100)
    choices: dict[str, tuple[str, ...]]  # choice id -> option ids the code knows (empty: any, each with a value)
    results: tuple[str, ...]


CONTRACTS: dict[str, Contract] = {
    "alerts": Contract(
        inputs=("sensitivity", "specificity", "prevalence", "studies-per-day", "working-days"),
        percent=("sensitivity", "specificity", "prevalence"),
        choices={},
        results=(
            "true-alerts",
            "false-alerts",
            "all-alerts",
            "false-per-true",
            "ppv",
            "npv",
            "missed-per-month",
        ),
    ),
    "sample-size": Contract(
        inputs=("sensitivity", "specificity", "prevalence", "precision"),
        percent=("sensitivity", "specificity", "prevalence"),
        choices={"precision-kind": ("half-width", "width"), "confidence": ()},
        results=(
            "positives-needed",
            "negatives-needed",
            "total-for-sensitivity",
            "total-for-specificity",
            "total",
            "expected-positives",
            "half-width",
            "z",
        ),
    ),
    "cost": Contract(
        inputs=(
            "years",
            "subscription-fee",
            "studies-per-year",
            "fee-per-study",
            "volume-change",
            "licence-price",
            "maintenance-rate",
            "integration",
            "hardware",
            "validation",
            "training",
            "hosting",
            "refresher-training",
            "monitoring-hours",
            "hourly-cost",
            "savings-low",
            "savings-base",
            "savings-high",
        ),
        percent=("maintenance-rate",),
        choices={"licence-model": ("subscription", "per-study", "one-off")},
        results=(
            "licence",
            "integration",
            "infrastructure",
            "validation",
            "training",
            "monitoring",
            "total-cost",
            "net-low",
            "net-base",
            "net-high",
        ),
    ),
}
MAX_YEARS = 50  # the cost table's rows; the data's own maximum for `years` must not exceed it
CONFIDENCE_RANGE = (50.0, 99.9)  # confidence levels the z value is worked out for

# ----------------------------------------------------------------------------- numbers as text


NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
MAX_TEXT = 30


def scaled_digits(value: float, decimals: int) -> str:
    """The digits of ``|value|`` × 10^decimals rounded half up, as JavaScript's ``String()`` writes them.

    The browser's script does the same: floor(|value| × 10^decimals + 0.5). Above 2^53, JavaScript writes a
    whole number as its shortest round-trip digits padded with zeros, hence the detour through ``repr``.
    """
    scaled = float(math.floor(abs(value) * 10**decimals + 0.5))
    return format(Decimal(repr(scaled)).to_integral_value(), "f")


def group_digits(digits: str) -> str:
    return re.sub(r"(?<=\d)(?=(\d{3})+$)", ",", digits)


def format_number(value: float | None, decimals: int, minus: str = "−") -> str:
    """``value`` with ``decimals`` decimals and thousands separated by commas; '' for None or non-finite."""
    if value is None or not math.isfinite(value) or abs(value) * 10**decimals + 0.5 >= 1e21:
        return ""
    scaled = scaled_digits(value, decimals).rjust(decimals + 1, "0")
    whole, fraction = (scaled[:-decimals], scaled[-decimals:]) if decimals else (scaled, "")
    sign = minus if value < 0 and int(scaled) > 0 else ""
    return sign + group_digits(whole) + (f".{fraction}" if fraction else "")


def csv_number(value: float | None) -> str:
    """A number for a spreadsheet: two decimals, no separators, '-' for negatives; '' for None."""
    return format_number(value, 2, minus="-").replace(",", "")


def plain_number(value: float) -> str:
    """A limit in a message: whole numbers grouped, others as their shortest form."""
    return group_digits(input_text(value))


def input_text(value: float) -> str:
    """A value as a reader would type it into a field: 90, 2.5 (no separators)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_value(text: Any, spec: CalculatorInput) -> tuple[float | None, str]:
    """(value, '') for acceptable text, else (None, message); empty optional fields give (0, '')."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return None, f"{spec.label}: enter a plain number such as 2.5."
    text = str(text).strip()
    if not text:
        return (0.0, "") if spec.optional else (None, f"Enter a value for {spec.label}.")
    if len(text) > MAX_TEXT or not NUMBER.fullmatch(text):
        return None, (
            f"{spec.label}: enter a plain number such as 2.5 "
            "(digits with a decimal point; no spaces, commas, letters or units)."
        )
    value = float(text)
    if value < spec.min or value > spec.max:
        return None, f"{spec.label} must be from {plain_number(spec.min)} to {plain_number(spec.max)}."
    if spec.whole and not value.is_integer():
        return None, f"{spec.label} must be a whole number."
    return value, ""


def z_value(confidence: float) -> float:
    """The two-sided standard normal value for a confidence level in percent (1.95996… for 95)."""
    return NormalDist().inv_cdf(1 - (1 - confidence / 100) / 2)


def ceil_up(value: float) -> float:
    """Round up, ignoring floating-point noise just above a whole number."""
    return float(math.ceil(value - 1e-9))


# ----------------------------------------------------------------------------- the formulas


@dataclass
class Outcome:
    """What a calculator worked out: results by id (None: not defined), why, and general remarks."""

    results: dict[str, float | None] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # result id -> why it is not defined
    remarks: list[str] = field(default_factory=list)
    rows: list[dict[str, float]] = field(default_factory=list)  # per-year rows (cost only)


def alerts(values: Mapping[str, Any]) -> Outcome:
    se = values["sensitivity"] / 100
    sp = values["specificity"] / 100
    p = values["prevalence"] / 100
    n = values["studies-per-day"]
    days = values["working-days"]
    out = Outcome()
    true_alerts = n * p * se
    false_alerts = n * (1 - p) * (1 - sp)
    missed = n * p * (1 - se)
    out.results["true-alerts"] = true_alerts
    out.results["false-alerts"] = false_alerts
    out.results["all-alerts"] = true_alerts + false_alerts
    out.results["missed-per-month"] = missed * days
    if true_alerts > 0:
        out.results["false-per-true"] = false_alerts / true_alerts
    else:
        out.results["false-per-true"] = None
        out.why["false-per-true"] = "Not defined: no true alerts are expected."
    positive = se * p + (1 - sp) * (1 - p)
    if positive > 0:
        out.results["ppv"] = se * p / positive * 100
    else:
        out.results["ppv"] = None
        out.why["ppv"] = "Not defined: the tool would raise no alerts at all."
    negative = sp * (1 - p) + (1 - se) * p
    if negative > 0:
        out.results["npv"] = sp * (1 - p) / negative * 100
    else:
        out.results["npv"] = None
        out.why["npv"] = "Not defined: the tool would flag every study."
    out.remarks = alert_remarks(se, sp, p, n)
    return out


def alert_remarks(se: float, sp: float, p: float, n: float) -> list[str]:
    remarks = []
    if n == 0:
        remarks.append("With no studies there are no alerts; the predictive values hold for any volume.")
    if p == 0:
        remarks.append("At 0% prevalence no study has the finding: every alert is false and no case can be missed.")
    if p == 1:
        remarks.append("At 100% prevalence every study has the finding: no alert is false.")
    if se == 1:
        remarks.append("A sensitivity of 100% means no case is ever missed; few tools reach it, so check the figure.")
    if sp == 1:
        remarks.append("A specificity of 100% means no false alerts at all; few tools reach it, so check the figure.")
    return remarks


def sample_size(values: Mapping[str, Any], z: float) -> Outcome:
    se = values["sensitivity"] / 100
    sp = values["specificity"] / 100
    p = values["prevalence"] / 100
    d = values["precision"] / 100
    if values["precision-kind"] == "width":
        d = d / 2
    out = Outcome()
    out.results["half-width"] = d * 100
    out.results["z"] = z
    positives = _cases_needed(se, d, z)
    negatives = _cases_needed(sp, d, z)
    out.results["positives-needed"] = positives
    out.results["negatives-needed"] = negatives
    if positives is None:
        out.why["positives-needed"] = "Not defined at 0% or 100%: enter the sensitivity you realistically expect."
    if negatives is None:
        out.why["negatives-needed"] = "Not defined at 0% or 100%: enter the specificity you realistically expect."
    for key, needed, share, word in (
        ("total-for-sensitivity", positives, p, "positive"),
        ("total-for-specificity", negatives, 1 - p, "negative"),
    ):
        if needed is None:
            out.results[key] = None
            out.why[key] = "Not defined: see the line above."
        elif share > 0:
            out.results[key] = ceil_up(needed / share)
        else:
            out.results[key] = None
            out.why[key] = f"Not defined: at this prevalence no {word} cases would ever be found."
    totals = [out.results["total-for-sensitivity"], out.results["total-for-specificity"]]
    if None in totals:
        out.results["total"] = out.results["expected-positives"] = None
        out.why["total"] = out.why["expected-positives"] = "Not defined: one of the two numbers above is not."
    else:
        total = max(totals)
        out.results["total"] = total
        out.results["expected-positives"] = total * p
    return out


def _cases_needed(accuracy: float, d: float, z: float) -> float | None:
    if accuracy <= 0 or accuracy >= 1:
        return None
    return ceil_up(z * z * accuracy * (1 - accuracy) / (d * d))


COST_COLUMNS = ("licence", "integration", "infrastructure", "validation", "training", "monitoring")


def cost(values: Mapping[str, Any]) -> Outcome:
    out = Outcome()
    years = int(values["years"])
    model = values["licence-model"]
    savings = {case: values[f"savings-{case}"] for case in ("low", "base", "high")}
    totals = dict.fromkeys((*COST_COLUMNS, "total-cost", "net-low", "net-base", "net-high"), 0.0)
    for year in range(1, years + 1):
        first = year == 1
        row = {
            "licence": _licence(values, model, year),
            "integration": values["integration"] if first else 0.0,
            "infrastructure": (values["hardware"] if first else 0.0) + values["hosting"],
            "validation": values["validation"] if first else 0.0,
            "training": values["training"] if first else values["refresher-training"],
            "monitoring": values["monitoring-hours"] * 12 * values["hourly-cost"],
        }
        total = 0.0
        for column in COST_COLUMNS:
            total = total + row[column]
        row["total-cost"] = total
        for case, saving in savings.items():
            row[f"net-{case}"] = total - saving
        for key, value in row.items():
            totals[key] = totals[key] + value
        out.rows.append({"year": float(year), **row})
    out.results = dict(totals)
    if savings["low"] > savings["base"] or savings["base"] > savings["high"]:
        out.remarks.append("The savings cases are not in order from low to high; check them.")
    return out


def _licence(values: Mapping[str, Any], model: str, year: int) -> float:
    if model == "subscription":
        return float(values["subscription-fee"])
    if model == "per-study":
        growth = 1 + values["volume-change"] / 100
        factor = 1.0
        for _ in range(year - 1):  # repeated products, not a power: both languages then agree to the last bit
            factor = factor * growth
        return values["fee-per-study"] * values["studies-per-year"] * factor
    if year == 1:
        return float(values["licence-price"])
    return values["licence-price"] * (values["maintenance-rate"] / 100)


# ----------------------------------------------------------------------------- one calculator, end to end


def option_value(calculator: Calculator, choice_id: str, option_id: str) -> float | None:
    for choice in calculator.choices:
        if choice.id == choice_id:
            return next((option.value for option in choice.options if option.id == option_id), None)
    return None


def active_inputs(calculator: Calculator, choices: Mapping[str, str]) -> list[CalculatorInput]:
    """The inputs in use: those without ``only_for`` and those whose option is chosen."""
    chosen = set(choices.values())
    return [spec for spec in calculator.inputs if not spec.only_for or spec.only_for in chosen]


def read_values(
    calculator: Calculator, texts: Mapping[str, Any], choices: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse what a reader entered: (values, field id -> message). Unused inputs count as 0."""
    values: dict[str, Any] = {spec.id: 0.0 for spec in calculator.inputs}
    errors: dict[str, str] = {}
    picked: dict[str, str] = {}
    for choice in calculator.choices:
        option = choices.get(choice.id, choice.default)
        if option not in {item.id for item in choice.options}:
            errors[choice.id] = f"{choice.label}: pick one of the options."
            option = choice.default
        picked[choice.id] = values[choice.id] = option
    for spec in active_inputs(calculator, picked):
        value, message = parse_value(texts.get(spec.id, ""), spec)
        if message:
            errors[spec.id] = message
        else:
            values[spec.id] = value
    return values, errors


def evaluate(calculator: Calculator, values: Mapping[str, Any]) -> Outcome:
    """The calculator's results for parsed values."""
    if calculator.id == "alerts":
        return alerts(values)
    if calculator.id == "sample-size":
        confidence = option_value(calculator, "confidence", values["confidence"])
        return sample_size(values, z_value(confidence if confidence is not None else 95.0))
    if calculator.id == "cost":
        return cost(values)
    raise KeyError(f"{calculator.id!r} is not a calculator the guide has code for")


def example_values(calculator: Calculator) -> tuple[dict[str, Any], dict[str, str]]:
    """The worked example's inputs (defaults where the data names none) and choices."""
    choices = {choice.id: calculator.example_choices.get(choice.id, choice.default) for choice in calculator.choices}
    texts = {spec.id: calculator.example_inputs.get(spec.id, spec.default) for spec in calculator.inputs}
    return texts, choices


# ----------------------------------------------------------------------------- the worked example, for the template


@dataclass(frozen=True)
class ExampleRow:
    label: str
    value: str
    unit: str = ""


@dataclass(frozen=True)
class WorkedExample:
    """What the page's worked-example tables show, formatted."""

    inputs: tuple[ExampleRow, ...]
    results: tuple[ExampleRow, ...]
    remarks: tuple[str, ...]
    year_columns: tuple[str, ...] = ()
    years: tuple[tuple[str, ...], ...] = ()  # each year's cells, then the totals row


def show(value: float | None, decimals: int, why: str = "") -> str:
    return format_number(value, decimals) if value is not None else why or "Not defined."


def worked_example(calculator: Calculator) -> WorkedExample:
    texts, choices = example_values(calculator)
    values, errors = read_values(calculator, texts, choices)
    if errors:  # the data check rejects such examples; this only guards the build
        raise ValueError(f"the worked example of {calculator.id} is not valid: {errors}")
    inputs = [
        ExampleRow(choice.label, next(option.label for option in choice.options if option.id == choices[choice.id]))
        for choice in calculator.choices
    ]
    inputs += [
        ExampleRow(spec.label, plain_number(values[spec.id]), spec.unit) for spec in active_inputs(calculator, choices)
    ]
    outcome = evaluate(calculator, values)
    results = tuple(
        ExampleRow(
            result.label,
            show(outcome.results[result.id], result.decimals, outcome.why.get(result.id, "")),
            result.unit if outcome.results[result.id] is not None else "",
        )
        for result in calculator.results
    )
    example = WorkedExample(tuple(inputs), results, tuple(outcome.remarks))
    if not outcome.rows:
        return example
    decimals = {result.id: result.decimals for result in calculator.results}
    years = [
        (str(int(row["year"])), *(format_number(row[key], decimals[key]) for key in decimals)) for row in outcome.rows
    ]
    years.append(("Total", *(format_number(outcome.results[key], decimals[key]) for key in decimals)))
    columns = tuple(result.label for result in calculator.results)
    return WorkedExample(example.inputs, example.results, example.remarks, columns, tuple(years))


# ----------------------------------------------------------------------------- checks of data/calculators.yaml


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Checker:
    def __init__(self, loaded: LoadedFile):
        self.loaded = loaded
        self.problems: list[Problem] = []

    def report(self, path: DataPath, message: str) -> None:
        self.problems.append(Problem(self.loaded.display_path, self.loaded.line_of(path), format_path(path), message))

    def ids(self, items: Any, path: DataPath, wanted: tuple[str, ...], word: str, owner: str) -> None:
        """The records at ``path`` must carry exactly the ids ``wanted`` (when the code expects any)."""
        found: dict[str, int] = {}
        for index, item in enumerate(items if isinstance(items, list) else []):
            value = item.get("id") if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            if value in found:
                self.report((*path, index, "id"), f"{word} id {value!r} is already used in this calculator")
            elif value not in wanted:
                known = ", ".join(wanted)
                self.report((*path, index, "id"), f"{value!r} is not one of the {owner} calculator's {word}s: {known}")
            found.setdefault(value, index)
        for value in wanted:
            if value not in found and isinstance(items, list):
                self.report(path, f"the {owner} calculator needs the {word} {value!r} (its code uses it)")

    def calculator(self, path: DataPath, record: dict[str, Any]) -> None:
        name = record.get("id")
        if not isinstance(name, str):
            return
        if name not in CONTRACTS:
            known = ", ".join(CONTRACTS)
            self.report((*path, "id"), f"{name!r} is not a calculator the guide has code for; known: {known}")
            return
        contract = CONTRACTS[name]
        self.ids(record.get("inputs"), (*path, "inputs"), contract.inputs, "input", name)
        self.ids(record.get("results"), (*path, "results"), contract.results, "result", name)
        self.ids(record.get("choices", []), (*path, "choices"), tuple(contract.choices), "choice", name)
        options = self.choices(path, record, contract)
        inputs = self.inputs(path, record, contract, options)
        self.example(path, record, inputs, options)

    def choices(self, path: DataPath, record: dict[str, Any], contract: Contract) -> dict[str, set[str]]:
        """Check each choice; return choice id -> its option ids."""
        result: dict[str, set[str]] = {}
        for index, choice in _dicts(record.get("choices")):
            where = (*path, "choices", index)
            options = dict(_dicts(choice.get("options")))
            ids = [option.get("id") for option in options.values()]
            result[str(choice.get("id"))] = {str(option_id) for option_id in ids}
            wanted = contract.choices.get(str(choice.get("id")))
            for position, option in options.items():
                if wanted and option.get("id") not in wanted:
                    self.report(
                        (*where, "options", position, "id"),
                        f"{option.get('id')!r} is not an option the code knows; options: {', '.join(wanted)}",
                    )
                if wanted == () and _is_number(option.get("value")):
                    low, high = CONFIDENCE_RANGE
                    if not low <= option["value"] <= high:
                        self.report(
                            (*where, "options", position, "value"),
                            f"{option['value']!r} is not a confidence level from {low:g} to {high:g}",
                        )
                elif wanted == () and "value" not in option:
                    self.report((*where, "options", position), "needs a value (the confidence level in percent)")
            for option_id in wanted or ():
                if option_id not in ids:
                    self.report((*where, "options"), f"needs an option {option_id!r} (the code uses it)")
            if len(set(map(str, ids))) != len(ids):
                self.report((*where, "options"), "lists the same option id twice; keep one")
            if isinstance(choice.get("default"), str) and choice["default"] not in ids:
                self.report((*where, "default"), f"{choice['default']!r} is not one of this choice's options")
        return result

    def inputs(
        self, path: DataPath, record: dict[str, Any], contract: Contract, options: dict[str, set[str]]
    ) -> dict[str, dict[str, Any]]:
        """Check each input's limits and starting value; return input id -> input."""
        result = {}
        all_options = set().union(*options.values()) if options else set()
        for index, spec in _dicts(record.get("inputs")):
            where = (*path, "inputs", index)
            result[str(spec.get("id"))] = spec
            low, high, default = spec.get("min"), spec.get("max"), spec.get("default")
            if _is_number(low) and _is_number(high) and low >= high:
                self.report((*where, "max"), f"{high!r} must be more than min ({low!r})")
                continue
            if spec.get("id") in contract.percent and _is_number(low) and _is_number(high) and (low < 0 or high > 100):
                self.report((*where, "max" if high > 100 else "min"), "a percentage must stay within 0 to 100")
            if spec.get("id") == "years" and _is_number(high) and high > MAX_YEARS:
                self.report((*where, "max"), f"{high!r} years is more than the table allows ({MAX_YEARS})")
            self.value((*where, "default"), default, spec)
            only = spec.get("only_for")
            if isinstance(only, str) and only not in all_options:
                self.report((*where, "only_for"), f"{only!r} is not an option of any of this calculator's choices")
        return result

    def value(self, where: DataPath, value: Any, spec: dict[str, Any]) -> None:
        low, high = spec.get("min"), spec.get("max")
        if not (_is_number(value) and _is_number(low) and _is_number(high)):
            return
        if not low <= value <= high:
            self.report(
                where, f"{value!r} is outside the input's own range ({plain_number(low)} to {plain_number(high)})"
            )
        elif spec.get("whole") is True and not float(value).is_integer():
            self.report(where, f"{value!r} must be a whole number (the input accepts whole numbers only)")

    def example(
        self, path: DataPath, record: dict[str, Any], inputs: dict[str, dict[str, Any]], options: dict[str, set[str]]
    ) -> None:
        example = record.get("example")
        if not isinstance(example, dict):
            return
        for key, value in (example.get("inputs") or {}).items() if isinstance(example.get("inputs"), dict) else ():
            where = (*path, "example", "inputs", key)
            if key not in inputs:
                self.report(where, f"{key!r} is not an input of this calculator; inputs: {', '.join(inputs)}")
            else:
                self.value(where, value, inputs[key])
        for key, value in (example.get("choices") or {}).items() if isinstance(example.get("choices"), dict) else ():
            where = (*path, "example", "choices", key)
            if key not in options:
                self.report(where, f"{key!r} is not a choice of this calculator")
            elif isinstance(value, str) and value not in options[key]:
                self.report(where, f"{value!r} is not an option of {key}; options: {', '.join(sorted(options[key]))}")


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) of the mappings in a list (other items are the schema check's business)."""
    for index, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict):
            yield index, item


def calculator_problems(loaded: LoadedFile | None) -> list[Problem]:
    """Problems of data/calculators.yaml that its schema cannot see: ids the code needs, limits, examples."""
    if loaded is None or not isinstance(loaded.data, dict):
        return []
    checker = _Checker(loaded)
    for index, record in _dicts(loaded.data.get("calculators")):
        checker.calculator(("calculators", index), record)
    return checker.problems


# ----------------------------------------------------------------------------- what the page needs


@dataclass(frozen=True)
class InputGroup:
    title: str
    inputs: tuple[CalculatorInput, ...]


def input_groups(calculator: Calculator, untitled: str = "Your figures") -> tuple[InputGroup, ...]:
    """Runs of inputs that share a group, in data order; inputs without a group share ``untitled``."""
    groups: list[InputGroup] = []
    for spec in calculator.inputs:
        title = spec.group or untitled
        if groups and groups[-1].title == title:
            groups[-1] = InputGroup(title, (*groups[-1].inputs, spec))
        else:
            groups.append(InputGroup(title, (spec,)))
    return tuple(groups)


def script_config(calculator: Calculator, storage_key: str, version: str) -> dict[str, Any]:
    """What the page's script needs, embedded as JSON: labels, limits and starting values (no constants in JS)."""
    from .render import plain

    def option(choice_id: str, item: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": item.id, "label": plain(item.label)}
        if item.value is not None and choice_id == "confidence":
            entry["z"] = z_value(item.value)
        return entry

    return {
        "schema": 1,
        "id": calculator.id,
        "title": plain(calculator.title),
        "version": version,
        "storageKey": storage_key,
        "inputs": [
            {
                "id": spec.id,
                "label": plain(spec.label),
                "default": input_text(spec.default),
                "min": spec.min,
                "max": spec.max,
                "optional": spec.optional,
                "whole": spec.whole,
                "onlyFor": spec.only_for,
            }
            for spec in calculator.inputs
        ],
        "choices": [
            {
                "id": choice.id,
                "label": plain(choice.label),
                "default": choice.default,
                "options": [option(choice.id, item) for item in choice.options],
            }
            for choice in calculator.choices
        ],
        "results": [
            {"id": result.id, "label": plain(result.label), "unit": plain(result.unit), "decimals": result.decimals}
            for result in calculator.results
        ],
    }
