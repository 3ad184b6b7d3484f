"""Every table, imported in one place so Alembic and the tests see the whole schema."""
# ruff: noqa: I001  (import order is deliberate: the naming convention must be set before any table)

from service.base import metadata  # noqa: F401  (naming convention first)

# Resource models register themselves on SQLModel.metadata when imported.
from service.counters import SerialCounter  # noqa: F401
from service.agencies.models import Agency, AgencyAttribute  # noqa: F401
from service.users.models import ApiToken, User  # noqa: F401
from service.requests.models import IdempotencyRecord, Reminder, RequestEvent, RequestRecord  # noqa: F401
from service.assessment.models import (  # noqa: F401
    AssessmentAdjustment,
    AssessmentEntryRecord,
    AssessmentEventRecord,
    AssessmentTally,
    SchemeAssignment,
)
from service.letters.models import Letter  # noqa: F401
from service.files.models import Attachment  # noqa: F401
from service.archive.models import ArchiveRecord  # noqa: F401
from service.adminlog.models import AdminChange  # noqa: F401
from service.delivery.models import LetterService  # noqa: F401
from service.drafts.models import Draft, DraftVersion, WorkStep  # noqa: F401
from service.audit.models import AuditCheckpoint, AuditEntry, AuditHead  # noqa: F401
from service.calendar.models import CalendarDocument, CalendarJob  # noqa: F401
from service.projections.models import ReportFact, ReportReview, RequestStatusCount  # noqa: F401
from service.notify.models import (  # noqa: F401
    DeliveryAttempt, Notice, NotifyPreference, NotifyTarget, OutboxItem, SweepRun)
