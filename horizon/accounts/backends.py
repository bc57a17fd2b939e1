from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in with the e-mail address, whatever its case."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=(email or username or "").strip().lower(), password=password)
