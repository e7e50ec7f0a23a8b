"""One wording for every failure a worker meets: the core's message, a database fault, or a bug.

Every screen's worker reports here (``Worker.StateChanged`` in :mod:`insightbank.tui.base` and
the app; every ``@work`` has ``exit_on_error=False``), so a failing database gives the same
toast on every screen and the app keeps running, whatever the worker was doing.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from insightbank.errors import InsightbankError
from insightbank.storage.faults import translate
from insightbank.tui.i18n import core, t

log = logging.getLogger("insightbank.tui")


def failure_text(error: BaseException | None) -> str:
    """What a person reads about ``error``, in the UI's language, never a traceback."""
    if isinstance(error, InsightbankError):
        return core(error)
    if isinstance(error, sa.exc.DBAPIError):
        mapped = translate(error)
        if mapped is not None:
            return core(mapped)
        return t("error.database", detail=str(error.orig).strip())
    if isinstance(error, sa.exc.SQLAlchemyError):
        return t("error.database", detail=str(error).splitlines()[0])
    log.error("unexpected failure in a worker", exc_info=error)
    return t("error.unexpected", kind=type(error).__name__, detail=str(error))
