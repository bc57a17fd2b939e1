"""Which sessions one may still join: the rule the catalogue, the suggestions and the needs register share.

A session is joinable when it has not been cancelled (nor its action closed), its registrations are open or
suspended, and it starts today or later — a partial date counts for its whole month or year ("septembre 2026" is
still joinable on 15 September) — or its action takes people in at any time and it has not ended; a session with
no date yet counts too when no date range is asked for.
"""

import datetime

from django.db.models import Q

from .enums import DatePrecision, EntryMode, RecruitmentState
from .models import Session


def available_q(today, date_from=None, date_to=None, closed_registrations=False, prefix=""):
    """The condition on sessions (seen through `prefix`, such as "sessions__" from a formation) that one may still
    join (see the module), starting within [date_from, date_to] when given; with `closed_registrations`, also
    those whose registrations are closed (the offer page lists them, saying so). Positive conditions only, so
    that from a formation they all bear on one and the same session."""

    def q(**conditions):
        return Q(**{prefix + name: value for name, value in conditions.items()})

    start = max(date_from or today, today)
    joinable = (
        q(start_precision=DatePrecision.DAY, start_date__gte=start)
        | q(start_precision=DatePrecision.MONTH, start_date__gte=start.replace(day=1))
        | q(start_precision=DatePrecision.YEAR, start_date__gte=datetime.date(start.year, 1, 1))
        | q(action__entry_mode=EntryMode.PERMANENT, end_date__gte=start)
    )
    if date_from is None and date_to is None:
        joinable |= q(start_date__isnull=True) & (q(end_date__isnull=True) | q(end_date__gte=today))
    condition = joinable & q(closed_at__isnull=True, action__closed_at__isnull=True)
    if not closed_registrations:
        condition &= q(recruitment_state__in=[RecruitmentState.OPEN, RecruitmentState.SUSPENDED])
    if date_to is not None:
        condition &= q(start_date__lte=date_to)
    return condition


def available_sessions(today, date_from=None, date_to=None, closed_registrations=False):
    return Session.objects.filter(available_q(today, date_from, date_to, closed_registrations))
