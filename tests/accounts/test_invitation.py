from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from horizon.accounts.models import User
from horizon.organisations.enums import MembershipRole
from horizon.organisations.models import Invitation, Membership
from horizon.organisations.services import create_invitation
from tests.factories.accounts import UserFactory
from tests.factories.organisations import StructureFactory, employer

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Une-phrase-de-passe-2024"
INVITED = "alex.petit@exemple.fr"


@pytest.fixture
def structure():
    return StructureFactory(name="Centre social Les Bruyères")


@pytest.fixture
def inviter(structure):
    return employer(structure, email="direction@bruyeres.fr", first_name="Claude", last_name="Bernard")


@pytest.fixture
def invitation(structure, inviter):
    return create_invitation(structure, INVITED, MembershipRole.MEMBER, by=inviter)


def url(invitation):
    return reverse("accounts:invitation", args=[invitation.token])


def signup_data(**overrides):
    return {
        "first_name": "Alex",
        "last_name": "Petit",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "consent": "on",
        **overrides,
    }


def test_url_name(invitation):
    assert url(invitation) == f"/compte/invitation/{invitation.token}/"


def test_forged_token_is_404(client, invitation):
    response = client.get(reverse("accounts:invitation", args=["jeton-invente"]))
    assert response.status_code == 404
    response = client.post(reverse("accounts:invitation", args=["jeton-invente"]), signup_data())
    assert response.status_code == 404
    assert not User.objects.filter(email=INVITED).exists()


def test_expired_invitation(client, invitation, settings):
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=settings.INVITATION_VALIDITY_DAYS, minutes=1)
    )
    response = client.get(url(invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Invitation expirée" in html
    assert "Claude Bernard" in html
    assert "direction@bruyeres.fr" in html
    assert "<form" not in html.split("<main")[1]

    response = client.post(url(invitation), signup_data())
    assert "Invitation expirée" in response.content.decode()
    assert not User.objects.filter(email=INVITED).exists()


def test_used_invitation(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = client.get(url(invitation))
    html = response.content.decode()
    assert "Invitation déjà utilisée" in html
    assert "Claude Bernard" in html
    response = client.post(url(invitation), signup_data())
    assert "Invitation déjà utilisée" in response.content.decode()
    assert not User.objects.filter(email=INVITED).exists()


def test_used_invitation_links_members_to_their_structure(client, invitation, structure):
    member = UserFactory(email=INVITED)
    Membership.objects.create(user=member, structure=structure, role=MembershipRole.MEMBER)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    client.force_login(member)
    html = client.get(url(invitation)).content.decode()
    assert reverse("structures:detail", args=[structure.pk]) in html


def test_logged_in_with_invited_email_get_does_not_write_then_post_accepts(client, invitation, structure):
    invited = UserFactory(email=INVITED)
    client.force_login(invited)

    response = client.get(url(invitation))
    assert response.status_code == 200
    assert "Accepter l'invitation" in response.content.decode()
    assert not Membership.objects.filter(user=invited).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    response = client.post(url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("structures:detail", args=[structure.pk])
    membership = Membership.objects.get(user=invited, structure=structure)
    assert membership.role == MembershipRole.MEMBER
    assert membership.is_active
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None

    # Used up: a second POST writes nothing more.
    response = client.post(url(invitation))
    assert "Invitation déjà utilisée" in response.content.decode()


def test_membership_gets_the_invitation_role(client, structure, inviter):
    invitation = create_invitation(structure, INVITED, MembershipRole.ADMIN, by=inviter)
    invited = UserFactory(email=INVITED)
    client.force_login(invited)
    client.post(url(invitation))
    assert Membership.objects.get(user=invited, structure=structure).role == MembershipRole.ADMIN


def test_logged_in_with_another_email(client, invitation, structure):
    other = UserFactory(email="quelquun@ailleurs.fr")
    client.force_login(other)
    response = client.get(url(invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert INVITED in html
    assert "quelquun@ailleurs.fr" in html
    assert reverse("accounts:logout") in html
    assert f'name="next" value="{url(invitation)}"' in html

    response = client.post(url(invitation))
    assert response.status_code == 200
    assert not Membership.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    # Logging out from that page comes back to the invitation.
    response = client.post(reverse("accounts:logout"), {"next": url(invitation)})
    assert response["Location"] == url(invitation)


def test_anonymous_with_existing_account_gets_a_login_link_back_here(client, invitation):
    invited = UserFactory(email=INVITED)
    response = client.get(url(invitation))
    html = response.content.decode()
    login_url = f"{reverse('accounts:login')}?next=%2Fcompte%2Finvitation%2F{invitation.token}%2F"
    assert login_url in html
    assert 'name="password1"' not in html

    # POST cannot create a second account nor accept for someone not logged in.
    response = client.post(url(invitation), signup_data())
    assert response.status_code == 200
    assert User.objects.filter(email=INVITED).count() == 1
    assert not Membership.objects.filter(user=invited).exists()

    # The existing account matches whatever the case of the invitation's address.
    Invitation.objects.filter(pk=invitation.pk).update(email=INVITED.upper())
    assert login_url in client.get(url(invitation)).content.decode()


def test_login_then_back_to_the_invitation(client, invitation):
    UserFactory(email=INVITED)
    response = client.post(
        reverse("accounts:login"),
        {"username": INVITED, "password": "mot-de-passe-solide-42", "next": url(invitation)},
    )
    assert response["Location"] == url(invitation)
    assert "Accepter l'invitation" in client.get(url(invitation)).content.decode()


def test_anonymous_without_account_signs_up_with_fixed_email(client, invitation, structure):
    response = client.get(url(invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert f'value="{INVITED}"' in html
    assert "disabled" in html
    assert not User.objects.exists() or not User.objects.filter(email=INVITED).exists()

    # The e-mail typed in the request is ignored: the account gets the invited address.
    response = client.post(url(invitation), signup_data(email="pirate@exemple.fr"))
    assert response.status_code == 302
    assert response["Location"] == reverse("structures:detail", args=[structure.pk])
    user = User.objects.get(email=INVITED)
    assert not User.objects.filter(email="pirate@exemple.fr").exists()
    assert user.check_password(GOOD_PASSWORD)
    assert user.terms_accepted_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Membership.objects.get(user=user, structure=structure).role == MembershipRole.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_invitation_signup_errors_create_nothing(client, invitation):
    response = client.post(url(invitation), signup_data(password1="court", password2="court", consent=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert "password2" in form.errors
    assert "consent" in form.errors
    assert not User.objects.filter(email=INVITED).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_signup_rolled_back_when_invitation_used_meanwhile(client, invitation, monkeypatch):
    def used_meanwhile(invitation, user):
        raise ValueError("Cette invitation a expiré ou a déjà été utilisée.")

    monkeypatch.setattr("horizon.www.accounts.views.accept_invitation", used_meanwhile)
    response = client.post(url(invitation), signup_data())
    assert response.status_code == 200
    assert not User.objects.filter(email=INVITED).exists()
    assert "_auth_user_id" not in client.session


def test_unusable_invitation_without_inviter_points_to_the_structure_admins(client, structure):
    invitation = create_invitation(structure, INVITED, MembershipRole.MEMBER, by=None)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    html = client.get(url(invitation)).content.decode()
    assert "administrateur·rice de la structure" in html
