"""Development settings: test settings plus a console mailer and a readable debug mode."""

from .test import *  # noqa: F403

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
# Demo accounts exist only where this is true (never in production settings).
DEMO_ACCOUNTS = True
# Tasks run at once here (e-mails): their start and end, two log lines each, would bury what `make run` prints.
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405
