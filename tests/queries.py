"""Counting the queries a piece of code runs, for the "constant number of queries" tests of list pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action):
    """The number of queries `action()` runs (taken at once: Django clears its query log on the next request)."""
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context)
