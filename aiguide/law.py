"""What the law pages show, prepared from ``regulations.yaml``: tables by step, role lists and back-links."""

from __future__ import annotations

from dataclasses import dataclass

from .model import CitingRecord, GuideData, Instrument, Jurisdiction, Obligation, Phase, RegulationGap


@dataclass(frozen=True)
class PhaseRow:
    """One decision point and, for each jurisdiction, the obligations that matter at it."""

    phase: Phase
    cells: tuple[tuple[Jurisdiction, tuple[Obligation, ...]], ...]


def obligations_at(data: GuideData, jurisdiction_id: str, phase_id: str) -> tuple[Obligation, ...]:
    """The obligations of one jurisdiction's laws that name ``phase_id``, in file order."""
    return tuple(
        obligation
        for instrument in data.instruments_of(jurisdiction_id)
        for obligation in instrument.obligations
        if phase_id in obligation.phases
    )


def phase_rows(data: GuideData, jurisdictions: tuple[Jurisdiction, ...] | None = None) -> list[PhaseRow]:
    """The 'which rules apply when' table: one row per phase, one cell per jurisdiction."""
    chosen = data.jurisdictions if jurisdictions is None else jurisdictions
    return [
        PhaseRow(phase, tuple((j, obligations_at(data, j.id, phase.id)) for j in chosen))
        for phase in data.phases_in_order
    ]


@dataclass(frozen=True)
class JurisdictionView:
    """Everything a jurisdiction's law page shows."""

    jurisdiction: Jurisdiction
    instruments: tuple[Instrument, ...]
    rows: list[PhaseRow]
    linked_from: dict[str, tuple[CitingRecord, ...]]


def linked_from(data: GuideData) -> dict[str, tuple[CitingRecord, ...]]:
    """Law or obligation id -> the checklist items, questions for suppliers and findings that point to it."""
    links: dict[str, list[CitingRecord]] = {key: [] for key in data.regulation}
    groups = (("item", data.items), ("vendor-question", data.vendor_questions), ("finding", data.findings))
    for kind, records in groups:
        for record in records:
            for key in record.regulations:
                links[key].append(CitingRecord(kind, record.id, record.id))
    return {key: tuple(records) for key, records in links.items()}


def jurisdiction_view(data: GuideData, jurisdiction_id: str) -> JurisdictionView:
    jurisdiction = data.jurisdiction[jurisdiction_id]
    return JurisdictionView(
        jurisdiction=jurisdiction,
        instruments=data.instruments_of(jurisdiction_id),
        rows=phase_rows(data, (jurisdiction,)),
        linked_from=linked_from(data),
    )


@dataclass(frozen=True)
class RoleLaw:
    """What one jurisdiction's law pages hold for one role: its obligations and the gaps that name it."""

    jurisdiction: Jurisdiction
    entries: tuple[tuple[Instrument, Obligation], ...]
    gaps: tuple[RegulationGap, ...]


def obligations_for_role(data: GuideData, role_id: str) -> list[RoleLaw]:
    """The obligations and gaps that name a role, by jurisdiction (jurisdictions with neither left out)."""
    grouped = []
    for jurisdiction in data.jurisdictions:
        entries = tuple(
            (instrument, obligation)
            for instrument in data.instruments_of(jurisdiction.id)
            for obligation in instrument.obligations
            if role_id in obligation.roles
        )
        gaps = tuple(gap for gap in jurisdiction.gaps if role_id in gap.roles)
        if entries or gaps:
            grouped.append(RoleLaw(jurisdiction, entries, gaps))
    return grouped
