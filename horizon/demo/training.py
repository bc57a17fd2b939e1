"""The demo training offer: a generated LHEO feed of Nouvelle-Aquitaine (horizon/demo/lheo.py), imported through the
real importer as the source "demo", and the demo provider account made a member of its organisme de formation.

Then a few training requests (*demandes*) in every state, sent by demo structures that took the diagnostic: most
to the demo provider (so that formation@demo.horizon.test has requests to answer), some to other providers (answered
by the coordination). The demo employer's structure sent two of them to the demo provider, one still waiting and one
accepted. They go through the services of horizon.training.requests, so that their history (events) and e-mails are
those of real requests."""

import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.organisations.enums import MembershipRole, StructureSource
from horizon.organisations.models import Membership, Structure
from horizon.organisations.services import add_member
from horizon.programmes.enums import ProgrammeRole
from horizon.questionnaires.models import Response
from horizon.training import requests as request_services
from horizon.training.enums import RequestStatus as S
from horizon.training.models import Formation, Provider, ProviderMembership, Session, TrainingRequest

from . import data
from .lheo import DEMO_PROVIDER_SIRET, write_lheo

SOURCE = "demo"

# The demo requests: (whose: "employer" or the rank of another diagnosed structure, to the demo provider or not,
# the path of statuses after "envoyée" with the note of each move, people, preferred period, comment).
REQUESTS = [
    ("employer", True, [], 3, "à l'automne", "Pour l'équipe d'animation, en lien avec notre plan d'action RH."),
    ("employer", True, [(S.ACCEPTED, "")], 2, "avant l'été", "La directrice et la référente famille."),
    (
        0,
        True,
        [(S.REFUSED, "La session demandée est complète : nous vous proposons de vous inscrire à la suivante.")],
        2,
        "",
        "",
    ),
    (1, True, [(S.ACCEPTED, ""), (S.ENROLLED, "")], 1, "dès que possible", ""),
    (2, False, [(S.ACCEPTED, ""), (S.ENROLLED, ""), (S.COMPLETED, "")], 4, "", "Pour toute l'équipe encadrante."),
    (
        3,
        False,
        [(S.CANCELLED, "Le poste concerné n'est plus pourvu : nous reviendrons vers vous plus tard.")],
        1,
        "",
        "",
    ),
    (4, True, [], 2, "au printemps", "Une question sur la prise en charge par notre OPCO."),
    (5, False, [(S.ACCEPTED, "")], 1, "", ""),
]


def load_demo_training(provider_user):
    """Import the demo feed unless it was; returns the number of formations imported (0 when already there)."""
    imported = 0
    if not Formation.objects.filter(source=SOURCE).exists():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "offre-demo.xml.gz"
            write_lheo(path)
            call_command("import_lheo", str(path), source=SOURCE, wet_run=True, stdout=StringIO())
        imported = Formation.objects.filter(source=SOURCE).count()
    provider = Provider.objects.filter(siret=DEMO_PROVIDER_SIRET).first()
    if provider is not None:
        ProviderMembership.objects.update_or_create(user=provider_user, provider=provider, defaults={"is_active": True})
        # The requests notify people by e-mail: the demo's go nowhere, rather than fill the console of `make run`.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            load_demo_requests(provider, provider_user)
    return imported


def _account(role):
    email = next(account.email for account in data.ACCOUNTS if account.role == role)
    return get_user_model().objects.get(email=email)


def _open_formations(queryset):
    """Open formations of the demo feed with an upcoming session, in a stable order."""
    today = timezone.localdate()
    upcoming = Session.objects.filter(closed_at__isnull=True, start_date__gte=today).values("formation_id")
    return list(queryset.filter(source=SOURCE, closed_at__isnull=True, pk__in=upcoming).order_by("source_id"))


def _requester(structure, coordinator):
    """A member of `structure` to send its requests: its first member, else an account for its first contact
    (without a password: it cannot sign in), made a member."""
    membership = Membership.objects.active().filter(structure=structure).order_by("pk").first()
    if membership is not None:
        return membership.user
    contact = structure.contacts.exclude(email="").order_by("pk").first()
    if contact is None:
        return None
    user, created = get_user_model().objects.get_or_create(
        email=contact.email.lower(), defaults={"first_name": contact.first_name, "last_name": contact.last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    add_member(structure, user, MembershipRole.MEMBER, by=coordinator)
    return user


def load_demo_requests(provider, provider_user):
    """Create the demo requests unless some request of the demo offer exists; returns the number created."""
    if TrainingRequest.objects.filter(formation__source=SOURCE).exists():
        return 0
    employer_user = _account(data.EMPLOYER)
    coordinator = _account(ProgrammeRole.COORDINATOR)
    employer_structure = (
        Structure.objects.filter(memberships__user=employer_user, memberships__role=MembershipRole.ADMIN)
        .order_by("pk")
        .first()
    )
    diagnosed = list(
        Structure.objects.filter(
            source=StructureSource.DEMO,
            pk__in=Response.objects.of(DIAGNOSTIC_CODE).filter(is_latest=True).values("structure_id"),
        )
        .exclude(pk=getattr(employer_structure, "pk", None))
        .exclude(contacts__isnull=True)
        .order_by("siret", "rna", "pk")
        .distinct()
    )
    own = _open_formations(Formation.objects.filter(provider=provider))
    others = _open_formations(Formation.objects.exclude(provider=provider))
    if employer_structure is None or not own or not others:
        return 0
    created = 0
    picks = {True: iter(own * 2), False: iter(others * 2)}
    for whose, to_demo_provider, path, people, period, comment in REQUESTS:
        if whose == "employer":
            structure, requester = employer_structure, employer_user
        elif whose < len(diagnosed):
            structure = diagnosed[whose]
            requester = _requester(structure, coordinator)
        else:
            continue
        if requester is None:
            continue
        formation = next(picks[to_demo_provider])
        session = (
            Session.objects.filter(formation=formation, closed_at__isnull=True, start_date__gte=timezone.localdate())
            .order_by("start_date")
            .first()
        )
        training_request = request_services.create_request(
            structure, formation, requester, people=people, session=session, preferred_period=period, comment=comment
        )
        decider = provider_user if to_demo_provider else coordinator
        for status, note in path:
            by = requester if status == S.CANCELLED else decider
            request_services.transition(training_request, status, by, note=note)
        created += 1
    return created
