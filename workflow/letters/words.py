"""The sentence tables and Regulations in force on one day, and the small helpers that fill them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from workflow.legal import Clause, ClauseNotInForce, LegalClauses


def parse_date(value: Any) -> date | None:
    """A date from a date or an ISO string; None when empty or unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def paren(text: str) -> str:
    """``text`` in full-width brackets, or nothing when it is empty."""
    return f"（{text}）" if text else ""


class Words:
    """The sentence tables and the Regulations in force on one day."""

    def __init__(self, clauses: LegalClauses, format_date: Callable[[date | str | None], str]) -> None:
        self.clauses = clauses
        # How a date prints (compose.cn_date); passed in so this module does not import compose.
        self.date = format_date
        for needed in ("sentences", "regulations"):
            if needed not in clauses.clauses:
                raise ClauseNotInForce(needed, clauses.day)
        self.sentences: Clause = clauses.clauses["sentences"]
        self.reg: Clause = clauses.clauses["regulations"]
        self.law = self.reg.text["title"]

    def s(self, table: str, key: str, **fill: Any) -> str:
        """Sentence ``key`` of ``table`` (``text`` for the top-level ones), filled with ``fill`` and the law's title."""
        source = self.sentences.text if table == "text" else self.sentences.tables[table]
        return source[key].format(law=self.law, **fill)
