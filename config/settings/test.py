"""Test settings: production settings with what tests need to run fast and offline."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key-not-for-production")

from .base import *  # noqa: E402, F403
from .base import MIDDLEWARE  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Static files are served by the staticfiles app (runserver, live_server); WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]
