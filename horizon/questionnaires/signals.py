"""Signals other apps listen to, sent inside the transaction of the change (a failing receiver undoes it).

response_submitted(response, results): the response was scored; `results` maps dimension codes to
    scoring.DimensionScore. The diagnostic records the structure's needs from it.
response_reopened(response): the response is a draft again; what was derived from its scores must go.
"""

from django.dispatch import Signal

response_submitted = Signal()
response_reopened = Signal()
