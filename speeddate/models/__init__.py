"""SQLAlchemy 2 typed models, one module per area; imported here so that Alembic sees them all."""

from speeddate.models.cache import CacheVersion
from speeddate.models.events import Event, EventStatus, EventType
from speeddate.models.outbox import MailStatus, OutboxMail
from speeddate.models.partners import Organisation, Partner, partner_gemeenten
from speeddate.models.registrations import Registration, RegistrationStatus
from speeddate.models.seating import (
    JobStatus,
    PlanStatus,
    SeatingAvoidPair,
    SeatingFixedSeat,
    SeatingJob,
    SeatingPlan,
    SeatingSettings,
)
from speeddate.models.security import RateLimitHit
from speeddate.models.surveys import (
    Answer,
    ContactOutcome,
    EvaluationResponse,
    FollowupContact,
    FollowupResponse,
    PartnerSurvey,
    PartnerSurveyAnswer,
    PartnerSurveyQuestion,
    PartnerSurveyRecipient,
    PartnerSurveyResponse,
    Question,
    QuestionKind,
)
from speeddate.models.users import Role, User
from speeddate.models.workers import WorkerBeat
from speeddate.models.zone import Cluster, Gemeente, Sector, ZoneSettings

__all__ = [
    "CacheVersion",
    "WorkerBeat",
    "Answer",
    "ContactOutcome",
    "EvaluationResponse",
    "FollowupContact",
    "FollowupResponse",
    "Question",
    "PartnerSurvey",
    "PartnerSurveyAnswer",
    "PartnerSurveyQuestion",
    "PartnerSurveyRecipient",
    "PartnerSurveyResponse",
    "RateLimitHit",
    "QuestionKind",
    "Cluster",
    "Event",
    "EventStatus",
    "EventType",
    "Gemeente",
    "MailStatus",
    "Organisation",
    "OutboxMail",
    "Partner",
    "Registration",
    "RegistrationStatus",
    "JobStatus",
    "PlanStatus",
    "Role",
    "SeatingAvoidPair",
    "SeatingFixedSeat",
    "SeatingJob",
    "SeatingPlan",
    "SeatingSettings",
    "Sector",
    "User",
    "ZoneSettings",
    "partner_gemeenten",
]
