"""Loading scheme files (TOML): the [scheme] and [events] tables, the parts read by their own modules, overlays.

Every error is a :class:`SchemeError` naming the file and line. The parts: ``toml_source`` (text and
lines), ``toml_table`` (typed getters), ``read_categories``, ``read_grading``, ``read_weights`` and
``overlay`` (points for a structure-only scheme).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.overlay import OVERLAY_KEYS, apply_overlay
from scoring.periods import KINDS as PERIOD_KINDS
from scoring.read_categories import read_categories
from scoring.read_grading import GRADING_KEYS, read_bands, read_forced
from scoring.read_weights import read_components, read_subunits
from scoring.scheme import Scheme, items_by_id
from scoring.toml_source import SchemeError, Source, parse
from scoring.toml_table import Table
from scoring.vocabulary import Vocabulary, VocabularyError, vocabulary_for

# What other code imports from here (kept since the loader was split into its parts).
__all__ = ["SchemeError", "load_scheme", "load_schemes"]

_SCHEME_KEYS = {"id", "title", "document", "issuer", "year", "scale", "decimals", "periods", "graded_periods",
                "structure_only", "target_points", "notes", "consequences"}
_TOP_KEYS = {"scheme", "grading", "category", "forced", "component", "subunits", "events"}


def _build(path: Path, data: dict[str, Any], src: Source, vocab: Vocabulary) -> Scheme:
    root = Table(src, "", 0, data, _TOP_KEYS)
    st = Table(src, "scheme", 0, data.get("scheme", {}), _SCHEME_KEYS)
    structure_only = st.bool("structure_only")
    periods = st.strs("periods") or ("year",)
    for p in periods:
        if p not in PERIOD_KINDS:
            raise st.fail("periods", f"unknown period kind {p!r} ({', '.join(PERIOD_KINDS)})")
    graded = st.strs("graded_periods") or periods
    if not set(graded) <= set(periods):
        raise st.fail("graded_periods", "graded_periods must be a subset of periods")
    year = st.data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise st.fail("year" if "year" in st.data else None, "[scheme] needs 'year' (an integer)")
    categories = read_categories(src, root, structure_only, vocab)

    gt = Table(src, "grading", 0, data.get("grading", {}), GRADING_KEYS)
    bands = read_bands(src, gt)
    grades = {b.grade for b in bands}

    forced = read_forced(src, root, grades)
    components = read_components(src, root, categories)
    sub_types, groups = read_subunits(src, data, vocab, components)

    et = Table(src, "events", 0, data.get("events", {}), {"ignore", "labels"})
    labels = et.data.get("labels", {})
    if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
        raise et.fail("labels", "[events.labels] maps event kinds to their Chinese names")
    scale = st.num("scale", required=True, minimum=Decimal(1)) or Decimal(100)
    return Scheme(
        id=st.str("id"), title=st.str("title"), document=st.str("document"), issuer=st.opt_str("issuer") or "",
        year=year, scale=scale, decimals=st.int("decimals", 2), periods=periods, graded_periods=graded,
        categories=categories, bands=bands,
        band_rounding=gt.str("rounding", "none", choices=("none", "half_up", "floor")),
        forced=forced, components=components, subunit_types=sub_types,
        subunit_groups=groups, target_points=st.num("target_points", minimum=Decimal(0)),
        ignore=et.strs("ignore"), structure_only=structure_only, source=path, notes=st.strs("notes"),
        consequences=st.strs("consequences"),
        by_item=items_by_id(categories),
        kind_names={**vocab.kinds, **labels}, type_names=dict(vocab.types),
    )


def load_scheme(path: Path | str) -> Scheme:
    """Load and validate one scheme file, or an overlay file together with the base scheme it names.

    Raises :class:`SchemeError` naming the file, the line and what is wrong.
    """
    path = Path(path)
    data, src = parse(path)
    try:
        vocab = vocabulary_for(path)
    except VocabularyError as exc:
        raise SchemeError(path, 1, str(exc)) from None
    if "overlay" in data:
        base_name = Table(src, "overlay", 0, data["overlay"], OVERLAY_KEYS).str("base")
        base_path = path.with_name(f"{base_name}.toml")
        if not base_path.exists():
            raise src.fail("overlay", 0, "base", f"base scheme file {base_path.name} not found next to the overlay")
        base = load_scheme(base_path)
        if not base.structure_only:
            raise src.fail("overlay", 0, "base", f"base scheme {base.id!r} is not structure-only")
        return apply_overlay(base, path, data, src)
    return _build(path, data, src, vocab)


def load_schemes(directory: Path | str) -> dict[str, Scheme]:
    """Every scheme and overlay file (``*.toml``) in ``directory``, by scheme id; ids must be unique."""
    found: dict[str, Scheme] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        scheme = load_scheme(path)
        if scheme.id in found:
            raise SchemeError(path, 1, f"scheme id {scheme.id!r} already used by {found[scheme.id].source}")
        found[scheme.id] = scheme
    return found
