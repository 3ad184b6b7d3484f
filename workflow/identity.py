"""One key per person across the ways an ID number gets typed (search, monthly fee counts, earlier requests).

``id_key`` folds full-width characters (NFKC), spaces, hyphens and letter case, and turns a 15-digit
first-generation resident ID into its 18-digit form (GB 11643: insert the century 19, add the check
digit), so "11010519491231002x", "１１０１０５ １９４９１２３１ ００２Ｘ" and the old 15-digit number of the
same person give the same key.
"""

from __future__ import annotations

import re
import unicodedata

from workflow.applicants import resident_id_check_digit


def id_key(number: str | None) -> str:
    """The normalised key of an ID number ('' for nothing)."""
    if not number:
        return ""
    text = unicodedata.normalize("NFKC", str(number)).upper()
    text = re.sub(r"[\s\-‐－]", "", text)
    if re.fullmatch(r"\d{15}", text):  # first-generation resident ID: YYMMDD birth date, no check digit
        first17 = text[:6] + "19" + text[6:]
        return first17 + resident_id_check_digit(first17)
    return text
