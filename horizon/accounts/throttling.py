"""Login throttling, counted in the database so that every app server sees the same numbers.

After `LOGIN_FAILURE_LIMIT` failures for one e-mail address, or four times that many from one IP
address, within `LOGIN_FAILURE_WINDOW_MINUTES`, further attempts are refused without checking the
password. A successful login never erases failures: an attacker logging into their own account
from the same address must not reset the count against other people's accounts.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils import timezone

from .models import LoginAttempt

IP_LIMIT_FACTOR = 4
EMAIL_MAX_LENGTH = 254


def throttled_message():
    return (
        f"Trop de tentatives de connexion. Réessayez dans {settings.LOGIN_FAILURE_WINDOW_MINUTES} minutes "
        "ou réinitialisez votre mot de passe."
    )


def normalize_email(email):
    return (email or "").strip().lower()[:EMAIL_MAX_LENGTH]


def client_ip(request):
    """The client address as the WSGI server sees it (REMOTE_ADDR); None when missing or malformed.

    Behind a reverse proxy, the proxy must be configured so that REMOTE_ADDR is the client's address.
    """
    ip = (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return None
    return ip


def window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def is_throttled(email, ip):
    """Whether attempts for this e-mail address or from this IP address must be refused for now."""
    failures = LoginAttempt.objects.recent_failures(window_start())
    limit = settings.LOGIN_FAILURE_LIMIT
    if failures.filter(email=normalize_email(email)).count() >= limit:
        return True
    return bool(ip) and failures.filter(ip_address=ip).count() >= limit * IP_LIMIT_FACTOR


def record_attempt(email, ip, *, succeeded, throttled=False):
    return LoginAttempt.objects.create(
        email=normalize_email(email), ip_address=ip, succeeded=succeeded, throttled=throttled
    )
