"""The case facts a reply states (correction, consultation, fee, extension), read from the case's record only."""

from __future__ import annotations

from typing import Any

from workflow.letters.normalise import name
from workflow.letters.words import Words


def case_facts(case: Any, words: Words) -> tuple[list[str], list[str]]:
    """The case facts a reply states (LAW.md §6 item 4): codes and sentences, from the case only."""
    codes: list[str] = []
    out: list[str] = []
    correction = getattr(case, "correction", None)
    if correction is not None and getattr(correction, "received_on", None) is not None:
        codes.append("correction_receipt")
        out.append(words.s("fact", "correction_receipt", sent_on=words.date(correction.sent_on),
                           received_on=words.date(correction.received_on)))
    consultations = tuple(getattr(case, "consultations", ()) or ())
    for c in consultations:
        until = f"至{words.date(c.ended_on)}" if getattr(c, "ended_on", None) else ""
        if getattr(c, "kind", "third_party") == "agency":
            out.append(words.s("fact", "consultation_agency", party=name(c.party), sent_on=words.date(c.sent_on),
                               until=until))
        else:
            # The third party is not named to the applicant (Art. 15: their identity may be the secret).
            out.append(words.s("fact", "consultation_pause", sent_on=words.date(c.sent_on), until=until))
    if consultations:
        codes.append("consultation_pause")
    fee = getattr(case, "fee", None)
    if fee is not None:
        codes.append("fee_pause")
        paid = f"，并于{words.date(fee.paid_on)}收到您缴纳的费用" if getattr(fee, "paid_on", None) else ""
        out.append(words.s("fact", "fee_pause", sent_on=words.date(fee.sent_on), paid=paid))
    extension = getattr(case, "extension", None)
    if extension is not None:
        codes.append("extension")
        out.append(words.s("fact", "extension", notified_on=words.date(extension.notified_on), days=extension.days))
    deadline = getattr(case, "deadline", None)
    if deadline is not None:
        codes.append("extension")
        out.append(words.s("fact", "deadline", notified_on=words.date(deadline.notified_on),
                           due_on=words.date(deadline.due_on)))
    return list(dict.fromkeys(codes)), out
