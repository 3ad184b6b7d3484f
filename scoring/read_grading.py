"""Reading a scheme's [grading] bands and [[forced]] outcomes, validated."""

from __future__ import annotations

from decimal import Decimal

from scoring.scheme import Band, Forced
from scoring.toml_source import Source
from scoring.toml_table import Table

GRADING_KEYS = {"rounding", "band"}
_BAND_KEYS = {"grade", "min", "min_inclusive", "wording", "consequences", "target_deduction"}
_FORCED_KEYS = {"id", "name", "when", "outcome", "grade", "min_count", "same_subject", "clause", "consequences"}


def read_bands(src: Source, grading: Table) -> tuple[Band, ...]:
    """The bands of a [grading] table, from the highest down (only the lowest may leave out ``min``)."""
    bands: list[Band] = []
    raw = grading.tables("band")
    for i, raw_band in enumerate(raw):
        bt = Table(src, "grading.band", i, raw_band, _BAND_KEYS)
        band = Band(grade=bt.str("grade"), min=bt.num("min"), min_inclusive=bt.bool("min_inclusive", True),
                    wording=bt.data.get("wording", ""), consequences=bt.strs("consequences"),
                    target_deduction=bt.num("target_deduction", minimum=Decimal(0)), line=bt.line)
        if band.target_deduction is not None and band.target_deduction > 1:
            raise bt.fail("target_deduction", "target_deduction is a share of the target points (0 to 1)")
        last = i == len(raw) - 1
        if band.min is None and not last:
            raise bt.fail(None, f"band {band.grade!r} needs 'min' (only the lowest band may leave it out)")
        if bands and band.min is not None and bands[-1].min is not None and band.min >= bands[-1].min:
            raise bt.fail("min", f"bands must be listed from the highest down: {band.grade!r} min {band.min} "
                                 f"is not below {bands[-1].grade!r} min {bands[-1].min}")
        if band.grade in {b.grade for b in bands}:
            raise bt.fail("grade", f"duplicate grade {band.grade!r}")
        bands.append(band)
    return tuple(bands)


def read_forced(src: Source, root: Table, grades: set[str]) -> tuple[Forced, ...]:
    """The [[forced]] outcomes; a forced grade must be one of ``grades`` and every outcome quotes its clause."""
    forced: list[Forced] = []
    for i, raw in enumerate(root.tables("forced")):
        ft = Table(src, "forced", i, raw, _FORCED_KEYS)
        outcome = ft.str("outcome", choices=("zero", "grade"))
        grade = ft.opt_str("grade")
        if (outcome == "grade" or grade is not None) and grade not in grades:
            raise ft.fail("grade", f"forced grade {grade!r} is not one of the bands ({', '.join(sorted(grades))})")
        if "clause" not in ft.data:
            raise ft.fail(None, f"forced outcome {ft.data.get('id')!r} needs 'clause': the document's own words")
        forced.append(Forced(id=ft.str("id"), name=ft.str("name"), kinds=ft.strs("when", required=True),
                             outcome=outcome, grade=grade, min_count=max(1, ft.int("min_count", 1)),
                             same_subject=ft.bool("same_subject"), clause=ft.str("clause"),
                             consequences=ft.strs("consequences"), line=ft.line))
    return tuple(forced)
