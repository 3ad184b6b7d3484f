"""API shape of the annual report (JSON): the rows of the form in order, each with every column."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from service.reports.service import AnnualReportFor


class Table3Row(BaseModel):
    """One row of Table 3 with its count per column and the request numbers behind it."""

    key: str = Field(description="row key, e.g. 一, 三（三）4, 三（七）, 四")
    label: str
    group: str | None = Field(description="the heading the row sits under, e.g. （三）不予公开")
    cells: dict[str, int] = Field(description="column → count: 自然人, 商业企业, 科研机构, 社会公益组织, "
                                              "法律服务机构, 其他, 总计")
    requests: list[str] = Field(description="request numbers counted in this row")


class Table4Row(BaseModel):
    """One group of Table 4 (行政复议; 行政诉讼 未经复议直接起诉; 行政诉讼 复议后起诉)."""

    key: str = Field(description="reconsideration | litigation_direct | litigation_after")
    label: str
    cells: dict[str, int] = Field(description="upheld, corrected, other, pending, total")


class Fees(BaseModel):
    """Fees collected in the year (section 六)."""

    collected_yuan: str
    requests: int


class AnnualReportOut(BaseModel):
    """Tables 3 and 4 of the annual report (国办公开办函〔2021〕30号) and the fees, for one unit and year."""

    agency: str
    agency_name: str
    year: int
    as_of: date = Field(description="the day the figures stand at: 31 December, or today for a year still running")
    complete: bool = Field(description="true once the year is over")
    columns: list[str]
    table3: list[Table3Row]
    table4: list[Table4Row]
    fees: Fees

    @classmethod
    def of(cls, found: AnnualReportFor) -> AnnualReportOut:
        """The API form of a computed report."""
        return cls.model_validate({**found.report.to_dict(), "agency_name": found.agency.name})
