"""Agency (unit, 单位) table: identity, place in the supervision tree, letter prefix, remedy bodies."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from service.base import metadata  # noqa: F401


class AgencyBase(SQLModel):
    """What an agency is: code, name, supervising unit, and what its letters must name."""

    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    letter_prefix: str = Field(max_length=40, description="文号前缀, e.g. 常住建依申")
    reconsideration_body: str = Field(default="", max_length=200, description="行政复议机关")
    court: str = Field(default="", max_length=200, description="管辖法院")
    contact: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=300)
    region: str = Field(default="", max_length=20, description="regional calendar overlay, e.g. gx")
    timezone: str = Field(default="Asia/Shanghai", max_length=60)
    vertically_managed: bool = False


class Agency(AgencyBase, table=True):
    """A unit that handles requests; ``parent_id`` is the supervising office above it."""

    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)


class AgencyPublic(AgencyBase):
    """An agency as the API shows it."""

    id: int
    parent_code: str | None = None
