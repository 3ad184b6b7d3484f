"""Chinese text search that scales: every request's number, applicant name, normalised ID number and
text cut into overlapping character bigrams (and single characters), indexed by SQLite FTS5 or a
PostgreSQL ``tsvector`` with a GIN index. A query is cut the same way and matched as a phrase, so any
substring of two or more characters is found without a scan; one character matches that character.

Chinese has no spaces, so a word tokenizer (unicode61, PostgreSQL's parsers) would index whole runs of
text as one token; bigrams are what both databases can index the same way, with no dictionary to keep
up to date (jieba) and no locale dependence (pg_trgm ignores CJK characters under the C locale).
Punctuation, LIKE wildcards (``%``, ``_``) and FTS operators (``"``, ``*``, ``:``, ``^``, ``AND``...)
never reach the database as syntax: a query keeps only letters and digits, each token is quoted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from workflow.errors import InvalidField

# Runs of letters and digits (CJK characters are letters); everything else separates runs.
_RUN = re.compile(r"[^\W_]+")
MAX_QUERY = 100  # characters: longer queries are refused (422), not scanned
MAX_RUNS = 8


def _normalise(value: str) -> str:
    # Full-width digits and letters (１２３, ＡＢ) as their ASCII forms; case does not matter.
    return unicodedata.normalize("NFKC", value).lower()


def _runs(value: str) -> list[str]:
    return _RUN.findall(_normalise(value))


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)] if len(run) > 1 else []


def document(registered: Mapping[str, Any]) -> tuple[str, str]:
    """The indexed text of a request from its ``registered`` event: (bigrams, single characters)."""
    applicant = registered.get("applicant") or {}
    parts = [str(registered.get("number") or ""), str(applicant.get("name") or ""),
             str(applicant.get("id_number") or ""), str(registered.get("description") or "")]
    representative = applicant.get("representative")
    if isinstance(representative, Mapping):
        parts.append(str(representative.get("name") or ""))
    runs = [r for p in parts for r in _runs(p)]
    # Bigrams of each run, runs kept apart by a three-letter token that no query produces (queries
    # make two-character tokens), so a phrase never spans two runs.
    bi = " sep ".join(" ".join(_bigrams(r)) for r in runs if len(r) > 1)
    uni = " ".join(sorted({c for r in runs for c in r}))
    return bi, uni


def query_runs(q: str) -> list[str]:
    """The searchable runs of a query; refuses an over-long one (422 naming ``q``)."""
    if len(q) > MAX_QUERY:
        raise InvalidField("q", f"at most {MAX_QUERY} characters", code="search.query_too_long", limit=MAX_QUERY)
    return _runs(q)[:MAX_RUNS]


def index(connection: Connection, request_id: int, doc: tuple[str, str]) -> None:
    """Index (or re-index) one request."""
    bi, uni = doc
    if connection.dialect.name == "postgresql":
        connection.execute(text(
            "INSERT INTO request_search (request_id, tokens) VALUES (:id, "
            "setweight(to_tsvector('simple', :bi), 'A') || to_tsvector('simple', :uni)) "
            "ON CONFLICT (request_id) DO UPDATE SET tokens = excluded.tokens"), {"id": request_id, "bi": bi, "uni": uni})
    else:
        connection.execute(text("DELETE FROM request_search WHERE rowid = :id"), {"id": request_id})
        connection.execute(text("INSERT INTO request_search (rowid, bi, uni) VALUES (:id, :bi, :uni)"),
                           {"id": request_id, "bi": bi, "uni": uni})


def index_many(connection: Connection, docs: Iterable[tuple[int, tuple[str, str]]]) -> int:
    """Index many requests (rebuild); returns how many."""
    n = 0
    rows = []
    for request_id, (bi, uni) in docs:
        rows.append({"id": request_id, "bi": bi, "uni": uni})
        n += 1
        if len(rows) >= 2000:
            _flush(connection, rows)
            rows = []
    if rows:
        _flush(connection, rows)
    return n


def _flush(connection: Connection, rows: list[dict]) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(
            "INSERT INTO request_search (request_id, tokens) VALUES (:id, "
            "setweight(to_tsvector('simple', :bi), 'A') || to_tsvector('simple', :uni)) "
            "ON CONFLICT (request_id) DO UPDATE SET tokens = excluded.tokens"), rows)
    else:
        connection.execute(text("INSERT INTO request_search (rowid, bi, uni) VALUES (:id, :bi, :uni)"), rows)


def clear(connection: Connection) -> None:
    """Empty the index (before a rebuild)."""
    connection.execute(text("DELETE FROM request_search"))


def match_sql(dialect: str, runs: list[str]) -> tuple[str, dict[str, str]]:
    """An SQL condition on ``disclosure_request.id`` that holds for requests matching every run, and its
    parameters. Tokens are letters and digits only and are bound or quoted: no operator gets through."""
    if dialect == "postgresql":
        parts, params = [], {}
        for i, run in enumerate(runs):
            if len(run) == 1:
                params[f"q{i}"] = run
                parts.append(f"plainto_tsquery('simple', :q{i})")
            else:
                params[f"q{i}"] = " ".join(_bigrams(run))
                parts.append(f"phraseto_tsquery('simple', :q{i})")
        cond = " && ".join(parts)
        return (f"disclosure_request.id IN (SELECT request_id FROM request_search WHERE tokens @@ ({cond}))",
                params)
    terms = []
    for run in runs:
        if len(run) == 1:
            terms.append(f'uni : "{run}"')
        else:
            terms.append('bi : "' + " ".join(_bigrams(run)) + '"')
    return ("disclosure_request.id IN (SELECT rowid FROM request_search WHERE request_search MATCH :m)",
            {"m": " AND ".join(terms)})
