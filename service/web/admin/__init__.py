"""HTML pages for administration (管理), for admins only and only over their own unit and those below
it: units (list, import a file), users (list, add, unlock, issue an API token), the working-day
calendar (install a year file or regional overlay) and assessment schemes (which offices they grade).

Anyone who is not an admin gets 404, as for any page they may not know of. Each form posts the CSRF
token; each write is one transaction (the request's, or for a calendar the import job's own, exactly
as ``ogi calendar import``), and a refusal comes back in Chinese beside the field. The rules live in
the service functions called here: this module only reads the form and words the answer.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from service.web.admin import calendar, schemes, units, users
from service.web.admin.base import TABS, Admin
from service.web.deps import redirect

__all__ = ["TABS", "router"]

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin_home(_: Admin) -> Response:
    """管理 opens on the units page."""
    return redirect("/admin/agencies")


# In the order the routes were declared when they were one module: /admin/users/{username}/{change}
# (in users) must come after the other /admin/users/{username}/… routes, which it would match.
for _pages in (units, users, calendar, schemes):
    router.include_router(_pages.router)
