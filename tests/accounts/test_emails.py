import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from horizon.accounts.throttling import client_ip
from horizon.organisations.enums import MembershipRole
from horizon.organisations.services import create_invitation
from tests.factories.organisations import StructureFactory, employer

pytestmark = pytest.mark.django_db


def test_structure_invitation_email_template(settings):
    structure = StructureFactory(name="Centre social Les Bruyères")
    inviter = employer(structure, first_name="Claude", last_name="Bernard")
    invitation = create_invitation(structure, "alex.petit@exemple.fr", MembershipRole.ADMIN, by=inviter)
    link = f"https://horizon.example/compte/invitation/{invitation.token}/"
    body = render_to_string(
        "emails/structure_invitation.txt",
        {"invitation": invitation, "link": link, "validity_days": settings.INVITATION_VALIDITY_DAYS},
    )
    assert "Claude Bernard vous invite à rejoindre la structure « Centre social Les Bruyères »" in body
    assert "administrateur·rice" in body
    assert link in body
    assert "&#x27;" not in body and "&laquo;" not in body  # plain text, not HTML-escaped


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [("192.0.2.1", "192.0.2.1"), ("2001:db8::1", "2001:db8::1"), ("", None), ("pas-une-ip", None)],
)
def test_client_ip_from_remote_addr(remote_addr, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == expected
