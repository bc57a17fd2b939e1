from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject, body, to):
    """Send one plain-text e-mail; queued so that a slow mail server never slows a page."""
    send_mail(subject, body, None, to)
