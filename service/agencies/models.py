"""Agency (unit, 单位) table: identity, place in the supervision tree, letter prefix, remedy bodies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401


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


class AgencyAttribute(SQLModel, table=True):
    """What the assessment schemes need to know about a unit, in force from ``valid_from`` until the
    next row of the same agency: its type (县政府 / 部门 …), level, the unit its scores are summed
    into (default: the supervising unit) and its annual target points (目标分值).

    Each row is a whole snapshot: a unit that becomes a county government on 1 July has one row from
    its creation and one from 1 July, and each half of the year is scored with its own type.
    """

    __tablename__ = "agency_attribute"
    __table_args__ = (UniqueConstraint("agency_id", "valid_from", name="uq_agency_attribute_agency_from"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    valid_from: date = Field(description="first day in force (1900-01-01: since always)")
    unit_type: str = Field(default="", max_length=40, description="schemes/vocabulary.yaml types")
    level: str = Field(default="", max_length=20, description="schemes/vocabulary.yaml levels")
    sum_parent_id: int | None = Field(default=None, foreign_key="agency.id",
                                      description="unit whose score this one is summed into; None: the parent")
    target_points: float | None = Field(default=None, description="annual target points (目标分值)")
    set_by: str = Field(default="", max_length=120, description="who set it: a user name or 'file'")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
