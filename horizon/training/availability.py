"""Which sessions one may still join: the rule the catalogue, the suggestions and the needs register share.

A session is joinable when it has not been cancelled (nor its action closed), its registrations are open or
suspended, and it starts today or later — a partial date counts for its whole month or year ("septembre 2026" is
still joinable on 15 September) — or its action takes people in at any time and it has not ended; a session with
no date yet counts too when no date range is asked for.
"""

import datetime

from django.db.models import Q

from .enums import DatePrecision, EntryMode, RecruitmentState
from .models import Action, Session


def available_q(today, date_from=None, date_to=None, closed_registrations=False, join_action=True):
    """The condition on sessions that one may still join (see the module), starting within [date_from, date_to]
    when given; with `closed_registrations`, also those whose registrations are closed (the offer page lists them,
    saying so).

    What it asks of the session's action is read through the join to the action or, with `join_action=False`, in
    subqueries on the small partial indexes of the closed actions and of those with permanent entries
    (Action.Meta.indexes). The subqueries suit a query that reads most sessions, such as the catalogue's landing
    page, where joining each one to its action costs about a quarter of the query; but PostgreSQL prices building
    them again for each probe of a nested loop, and so no longer drives one from a selective filter (a text, a
    place): the join stays the default."""
    if join_action:
        permanent = Q(action__entry_mode=EntryMode.PERMANENT)
        open_action = Q(action__closed_at__isnull=True)
    else:
        permanent = Q(action__in=Action.objects.filter(entry_mode=EntryMode.PERMANENT).values("pk"))
        open_action = ~Q(action__in=Action.objects.filter(closed_at__isnull=False).values("pk"))
    start = max(date_from or today, today)
    joinable = (
        Q(start_precision=DatePrecision.DAY, start_date__gte=start)
        | Q(start_precision=DatePrecision.MONTH, start_date__gte=start.replace(day=1))
        | Q(start_precision=DatePrecision.YEAR, start_date__gte=datetime.date(start.year, 1, 1))
        | (permanent & Q(end_date__gte=start))
    )
    if date_from is None and date_to is None:
        joinable |= Q(start_date__isnull=True) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    condition = joinable & Q(closed_at__isnull=True) & open_action
    if not closed_registrations:
        condition &= Q(recruitment_state__in=[RecruitmentState.OPEN, RecruitmentState.SUSPENDED])
    if date_to is not None:
        condition &= Q(start_date__lte=date_to)
    return condition


def available_sessions(today, date_from=None, date_to=None, closed_registrations=False):
    return Session.objects.filter(available_q(today, date_from, date_to, closed_registrations))
