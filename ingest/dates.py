"""Parse a date written in running text ("29. März 2025", "March 3, 2025", "2025-03-29").

Why htmldate's parser: it is the one trafilatura uses for HTML pages, so plain-text
inputs get dates by the same rules (fast regexes for common German/English forms,
dateparser for the rest, and a plausibility window that rejects far-future dates).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from htmldate.extractors import try_date_expr

EARLIEST = datetime(1990, 1, 1)
DATE_FORMAT = "%Y-%m-%d"


def parse_date(text: str, *, latest: datetime | None = None) -> str | None:
    """ISO date (YYYY-MM-DD) of the first date expression in `text`, or None.

    `latest` bounds plausible dates (default: tomorrow, UTC), so version numbers and
    future deadlines are not taken for publication dates.
    """
    if latest is None:
        latest = (datetime.now(timezone.utc) + timedelta(days=1)).replace(tzinfo=None, hour=0, minute=0,
                                                                            second=0, microsecond=0)
    return try_date_expr(text, DATE_FORMAT, True, EARLIEST, latest)
