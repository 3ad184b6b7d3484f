"""Who may make a change that reaches beyond their own units.

A change is allowed when every unit it affects lies in the actor's tree (their unit and those below
it), or when the actor is a deployment admin. The rules, each refused with :class:`NotPermitted` (403):

* a national calendar year affects every unit's due dates: deployment admins only;
* a regional overlay affects the units that use that region (and, when it is the configured default
  region, the units without one of their own): all of them must be the actor's;
* a scheme assignment changes which units the scheme grades and the averages they are graded
  against: the units graded before and after (every unit while the scheme is unassigned) must all
  be the actor's.

The command line is run by whoever operates the server, so it is deployment-wide (but still recorded
with its actor, see :mod:`service.adminlog`).
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from service.agencies import repository as agencies
from service.settings import get_settings
from service.users.models import User
from workflow.errors import DomainError


class NotPermitted(DomainError):
    """The actor may not make this change: it affects units outside their tree (HTTP 403)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def calendar_file_scope(path: Path) -> tuple[str, str]:
    """What a calendar file would install: ("year", "2027") or ("region", "gx").

    Raises the loader's CalendarError when the file is not a calendar (the install would refuse it too).
    """
    from workflow.calendar import load_year_file
    from workflow.calendar.files import is_region_document, parse_region_file

    data = path.read_bytes()
    if is_region_document(data):
        return "region", parse_region_file(data, str(path)).code
    return "year", str(load_year_file(path).year)


def check_calendar_install(*, session: Session, user: User, visible: set[int], kind: str, key: str) -> None:
    """Refuse (NotPermitted) a calendar install by ``user`` that affects units outside ``visible``."""
    if user.deployment_admin:
        return
    if kind == "year":
        raise NotPermitted(f"a national calendar year ({key}) changes the due dates of every unit: "
                           "only a deployment admin may install it", field="file")
    default_region = get_settings().region
    affected = {a.id for a in agencies.all_agencies(session=session)
                if (a.region or default_region) == key}
    if not affected <= visible:
        raise NotPermitted(f"the regional calendar {key!r} is used by units outside yours: only an admin over "
                           "all of them (or a deployment admin) may install it", field="file")


def check_scheme_assignment(*, session: Session, user: User, visible: set[int], scheme_id: str,
                            office_code: str) -> None:
    """Refuse (NotPermitted) a scheme assignment by ``user`` that changes the grading of units outside
    ``visible``. An office the user cannot see is left to the assignment itself (404, as if unknown)."""
    from service.assessment import repository as assessment

    if user.deployment_admin:
        return
    office = agencies.by_code(session=session, code=office_code)
    if office is None or office.id not in visible:
        return
    rows = assessment.assignments(session=session, scheme_id=scheme_id)
    if not rows:
        graded = {a.id for a in agencies.all_agencies(session=session)}  # unassigned: it grades every unit
    else:
        graded = set()
        for row in rows:
            graded |= agencies.descendants(session=session, agency_id=row.agency_id)
    if not graded <= visible:
        what = "grades every unit" if not rows else "also grades units outside yours"
        raise NotPermitted(f"scheme {scheme_id} {what}: only an admin over all of them (or a deployment admin) "
                           "may assign it", field="office")
