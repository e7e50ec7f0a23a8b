"""Every table of the bank, as SQLModel classes and SQLAlchemy tables.

Importing this package registers all of them on ``SQLModel.metadata`` (Alembic's and the
model test's view of the schema). The tables are split by the part of the domain that owns
them; :mod:`insightbank.storage.tables` gives the typed handles the queries use.
"""

from insightbank.storage.models import analysis, packages, qda, stories, trust
from insightbank.storage.models.core import (
    INSIGHT_LINKS,
    BankMeta,
    ChangeLog,
    Evidence,
    Insight,
    Study,
    Term,
    study_method,
    utcnow,
)

__all__ = [
    "INSIGHT_LINKS",
    "BankMeta",
    "ChangeLog",
    "Evidence",
    "Insight",
    "Study",
    "Term",
    "analysis",
    "packages",
    "qda",
    "stories",
    "study_method",
    "trust",
    "utcnow",
]
