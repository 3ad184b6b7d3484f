"""HTML pages for requests: 工作台 (dashboard), 登记 (registration), 案件 (one case with its actions)
and 查询 (search with CSV export).

Every page calls the same service functions as the API (``service.register``, ``service.act``,
``repository.search``, ``present.request_out``); a domain refusal is shown next to the field it
names, after the transaction is rolled back so nothing is half-written.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.requests.views import case, dashboard, register, search

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# In the order the routes were declared when they were one module: /requests/new (register) must come
# before /requests/{request_id} (case), which would take "new" for an id and answer 422.
for _pages in (dashboard, register, case, search):
    router.include_router(_pages.router)
