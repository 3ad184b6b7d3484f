"""Letter templates: the kinds catalogue, the Jinja2 environment, template clause declarations → HTML.

Each template starts with a header naming the legal clause versions its wording was reviewed
against (``{#- clauses: regulations@2019-05-15 remedy@2015-05-01,2024-01-01 -#}``); rendering checks
it against the law in force on the letter's issue date (:func:`workflow.legal.check_written_for`)
and refuses a stale template instead of printing superseded law.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from workflow.cn_dates import cn_date
from workflow.errors import InvalidField
from workflow.legal import LegalClauses, check_written_for

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "letter_templates"
_HEADER = re.compile(r"\A\{#-?\s*clauses:\s*(?P<decl>[^#]*?)\s*-?#\}")


@dataclass(frozen=True)
class LetterKind:
    """One letter kind: its title(s), number suffix (文号 series) and template file."""

    kind: str
    title: str
    suffix: str
    template: str
    variants: Mapping[str, str]

    def title_for(self, fields: Mapping[str, Any]) -> str:
        """The title, with the variant chosen by the order's fields (co-producing agency, Art. 35)."""
        if self.kind == "consultation" and fields.get("kind") == "agency":
            return self.variants.get("title_agency", self.title)
        if self.kind == "extension_notice" and fields.get("art35"):
            return self.variants.get("title_art35", self.title)
        return self.title


@lru_cache(maxsize=4)
def kinds(directory: Path = TEMPLATES_DIR) -> Mapping[str, LetterKind]:
    """The letter kinds of ``kinds.toml`` in ``directory``."""
    data = tomllib.loads((Path(directory) / "kinds.toml").read_text(encoding="utf-8"))
    return {
        name: LetterKind(kind=name, title=row["title"], suffix=row["suffix"], template=row["template"],
                         variants={k: v for k, v in row.items() if k.startswith("title_")})
        for name, row in data.items()
    }


def kind(name: str, directory: Path = TEMPLATES_DIR) -> LetterKind:
    """One letter kind; InvalidField for an unknown kind."""
    try:
        return kinds(directory)[name]
    except KeyError:
        raise InvalidField("kind", f"unknown letter kind {name!r}; one of {', '.join(kinds(directory))}",
                           code="letter.unknown_kind", kind=name) from None


# Default faces (docs/letters/README.md "Fonts"): the licensed GB/T 9704 faces first (used when an
# office has installed them), then the free Debian faces chosen by measurement, then the fallback
# faces for rare characters so that nothing prints as a box (HanaMinA: Ext A; HanaMinB: Ext B–F;
# BabelStone Han: Ext G and later).
FALLBACK_FONTS = '"HanaMinA", "HanaMinB", "BabelStone Han"'
BODY_FONT = '"方正仿宋_GBK", "FZFangSong-Z02", "AR PL UKai CN"'
TITLE_FONT = '"方正小标宋_GBK", "FZXiaoBiaoSong-B05", "AR PL SungtiL GB"'
NUMBER_FONT = '"AR PL UMing CN"'


def font_families() -> dict[str, str]:
    """The CSS family lists of body, title and page numbers, with the deployment's settings applied."""
    from service.settings import get_settings

    settings = get_settings()
    body = getattr(settings, "letter_body_font", "") or BODY_FONT
    title = getattr(settings, "letter_title_font", "") or TITLE_FONT
    return {"__BODY_FONT__": f"{body}, {FALLBACK_FONTS}, serif",
            "__TITLE_FONT__": f"{title}, {body}, {FALLBACK_FONTS}, serif",
            "__NUMBER_FONT__": f"{NUMBER_FONT}, serif"}


@lru_cache(maxsize=4)
def environment(directory: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment: autoescaped; optional order fields (``f.x``) may be absent and render empty."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    return env


def stylesheet(directory: Path = TEMPLATES_DIR) -> str:
    """The shared CSS with the deployment's faces, inlined into every letter (self-contained snapshot)."""
    css = _stylesheet_source(directory)
    for placeholder, families in font_families().items():
        css = css.replace(placeholder, families)
    return css


@lru_cache(maxsize=4)
def _stylesheet_source(directory: Path) -> str:
    return (Path(directory) / "letters.css").read_text(encoding="utf-8")


@lru_cache(maxsize=32)
def declared_clauses(template: str, directory: Path = TEMPLATES_DIR) -> dict[str, tuple[date, ...]]:
    """The clause versions a template declares in its header; ValueError if the header is missing."""
    source = (Path(directory) / template).read_text(encoding="utf-8")
    match = _HEADER.match(source)
    if match is None:
        raise ValueError(f"template {template} does not declare its clauses ({{#- clauses: ... -#}} header)")
    declared: dict[str, tuple[date, ...]] = {}
    for token in match.group("decl").split():
        name, _, versions = token.partition("@")
        declared[name] = tuple(date.fromisoformat(v) for v in versions.split(",") if v)
    return declared


def render_html(context: Mapping[str, Any], *, directory: Path = TEMPLATES_DIR) -> str:
    """Render the letter ``context["letter"]["kind"]`` to HTML after checking its clause declaration.

    ``context["clauses"]`` must be the :class:`LegalClauses` in force on the issue date;
    raises :class:`workflow.legal.ClauseOutOfDate` when the template was not written for them.
    """
    letter_kind = kind(context["letter"]["kind"], directory)
    clauses: LegalClauses = context["clauses"]
    check_written_for(letter_kind.template, declared_clauses(letter_kind.template, directory), clauses)
    template = environment(directory).get_template(letter_kind.template)
    return template.render(**context, css=stylesheet(directory))
