"""Account e-mails sent in the background (django-tasks): the request never waits for the mail server,
and the password reset page answers in the same time whether or not an account exists."""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task

PASSWORD_RESET_TEMPLATES = {
    "subject_template_name": "emails/password_reset_subject.txt",
    "email_template_name": "emails/password_reset.txt",
}


def reset_link_days():
    """How long a password reset link stays valid, in whole days (as the e-mail and the page say)."""
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


@task()
def send_password_reset_email(email, domain, use_https):
    """Send the reset link to the active account(s) of this address, if any; silently nothing otherwise."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            extra_email_context={"reset_link_days": reset_link_days()},
            **PASSWORD_RESET_TEMPLATES,
        )
