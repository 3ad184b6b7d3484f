"""`ogi demo`: a lawful, realistic data set across every state, decision and assessment event."""

from __future__ import annotations

from datetime import date

from sqlmodel import select


def test_demo_covers_every_state_and_keeps_numbers_and_chains_intact(db_url) -> None:
    from service.assessment.models import AssessmentEventRecord
    from service.db import transaction
    from service.requests.demo import load_demo
    from service.requests.eventlog import verify
    from service.requests.models import RequestRecord

    with transaction(db_url) as session:
        report = load_demo(session=session, requests=300, today=date(2026, 11, 20))
    assert report.requests >= 290  # a handful of random paths may be refused by the rules and left out
    assert set(report.by_status) == {"registered", "reviewing", "awaiting_correction", "consulting",
                                     "awaiting_fee", "replied", "archived", "withdrawn", "lapsed"}
    with transaction(db_url, readonly=True) as session:
        assert list(verify(session=session)) == []
        rows = session.exec(select(RequestRecord.agency_id, RequestRecord.year, RequestRecord.seq)).all()
        kinds = {e.kind for e in session.exec(select(AssessmentEventRecord))}
        decisions = {d for d in session.exec(select(RequestRecord.decision)) if d}
    # Refused paths roll back to their savepoint, serial numbers included: no gaps.
    series: dict[tuple[int, int], list[int]] = {}
    for agency, year, seq in rows:
        series.setdefault((agency, year), []).append(seq)
    for seqs in series.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert {"ogi.case_closed", "ogi.reply_late", "ogi.review_corrected"} <= kinds
    assert len(decisions) >= 10
