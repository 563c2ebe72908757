"""The RiskRadar data model (SQLAlchemy 2.0, typed). Importing this package registers every table."""

from riskradar.domain.agreements import Agreement
from riskradar.domain.alerts import (
    Alert,
    AlertEvent,
    AlertSource,
    AlertWatermark,
    Channel,
    OutboxMessage,
    Subscription,
)
from riskradar.domain.audits import Audit, AuditFinding, SmeIndicatorScore
from riskradar.domain.base import Base, utcnow
from riskradar.domain.imports import ImportBatch
from riskradar.domain.jobs import JobRun
from riskradar.domain.news import (
    Article,
    ArticleSource,
    ArticleSupplierLink,
    ArticleTag,
    Feed,
    FeedFetch,
    TrainingExample,
)
from riskradar.domain.scoring import RiskSnapshot, ScoringRun
from riskradar.domain.suppliers import Supplier, SupplierSite
from riskradar.domain.users import ApiToken, User

__all__ = [
    "Agreement", "Alert", "AlertEvent", "AlertSource", "AlertWatermark", "ApiToken", "Article", "ArticleSource",
    "ArticleSupplierLink", "ArticleTag", "Audit", "AuditFinding", "Base", "Channel", "Feed",
    "FeedFetch", "ImportBatch", "JobRun", "OutboxMessage", "RiskSnapshot", "ScoringRun",
    "SmeIndicatorScore", "Subscription", "Supplier", "SupplierSite", "TrainingExample", "User", "utcnow",
]
