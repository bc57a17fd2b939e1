from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from horizon.accounts.models import User
from horizon.demo import data
from horizon.diagnostics.models import Action, ActionPlan, Need
from horizon.organisations.enums import MembershipRole, StructureSource
from horizon.organisations.identifiers import validate_siret
from horizon.organisations.models import Collective, Contact, Membership, Structure, StructureChange
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.models import Programme, ProgrammeMembership
from horizon.questionnaires.models import Response
from horizon.territories.models import Commune
from horizon.training.enums import RequestStatus
from horizon.training.models import RequestEvent, TrainingRequest

from .factories import demo_referentials

COUNT = 40


def load(**options):
    out = StringIO()
    call_command("load_demo", structures=COUNT, stdout=out, **options)
    return out.getvalue()


def table_counts():
    models = [
        *(User, Programme, ProgrammeMembership, Structure, Contact, Collective, Membership, StructureChange),
        *(Response, Need, ActionPlan, Action),
        *(TrainingRequest, RequestEvent),
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["collective links"] = Structure.collectives.through.objects.count()
    return counts


def test_load_demo_creates_the_demo(reference_data, demo_on):
    output = load()
    assert "Données de démonstration chargées" in output
    programme = Programme.objects.get(slug=data.PROGRAMME["slug"])
    assert programme.name == "Horizon ESS Nouvelle-Aquitaine 2021-2023"
    assert programme.region_id == "75"
    structures = Structure.objects.filter(source=StructureSource.DEMO)
    assert structures.count() == COUNT + 1  # plus the employer's structure
    assert not structures.exclude(commune__departement__region_id="75").exists()
    for structure in structures:
        if structure.siret:
            validate_siret(structure.siret)
            assert structure.siren == structure.siret[:9]
        assert structure.search_text
        assert 1 <= structure.contacts.count() <= 2
    assert not Contact.objects.filter(consent_date__isnull=True).exists()
    assert 6 <= Collective.objects.count() <= 8
    assert Collective.objects.filter(structures__isnull=False).distinct().count() >= 4
    assert StructureChange.objects.exists()


def test_every_role_has_its_account(reference_data, demo_on):
    load()
    programme = Programme.objects.get(slug=data.PROGRAMME["slug"])
    for role in ProgrammeRole:
        membership = ProgrammeMembership.objects.get(programme=programme, role=role, is_active=True)
        assert membership.user.email.endswith("@demo.horizon.test")
        assert membership.user.first_name and membership.user.last_name
    coordinator = User.objects.get(email="coordinateur@demo.horizon.test")
    assert coordinator.is_staff
    assert ProgrammeMembership.objects.get(user__email="formation@demo.horizon.test").organisation_name
    assert ProgrammeMembership.objects.get(user__email="financeur@demo.horizon.test").organisation_name == (
        "Région Nouvelle-Aquitaine"
    )
    for account in data.ACCOUNTS:
        assert authenticate(username=account.email, password="horizon-demo") is not None


def test_employer_administers_a_centre_social_in_bordeaux(reference_data, demo_on):
    load()
    employer = User.objects.get(email="employeur@demo.horizon.test")
    membership = Membership.objects.get(user=employer)
    assert membership.role == MembershipRole.ADMIN and membership.is_active
    structure = membership.structure
    assert structure.name == "Centre social et culturel Le Pont"
    assert structure.commune_id == "33063"
    assert structure.sector_id == "centres_sociaux"
    assert structure.collective_agreement_id == "1261"
    assert structure.opco == "Uniformation"
    assert Structure.objects.administered_by(employer).get() == structure
    member = Membership.objects.get(user__email="membre@demo.horizon.test")
    assert member.structure == structure and member.role == MembershipRole.MEMBER
    assert structure.collectives.filter(name="Fédération des centres sociaux de Gironde").exists()
    assert structure.changes.count() >= 3


def test_demo_structures_have_diagnostics_and_action_plans(reference_data, demo_on):
    output = load()
    assert "ont envoyé leur diagnostic RH" in output
    diagnosed = Structure.objects.filter(responses__is_latest=True).distinct()
    assert diagnosed.count() >= COUNT * 0.2
    assert Structure.objects.filter(responses__is_latest=False, responses__status="submitted").exists()
    assert ActionPlan.objects.count() >= 2 and ActionPlan.objects.filter(agreed_on__isnull=False).exists()
    assert Need.objects.current().exists()

    structure = Structure.objects.get(name="Centre social et culturel Le Pont")
    first, second = structure.responses.order_by("submitted_at")
    assert not first.is_latest and second.is_latest and first.variant == "pme"
    assert (second.submitted_at - first.submitted_at).days > 250
    assert second.results.count() == 11 and second.submitted_by.email == "employeur@demo.horizon.test"
    plan = second.action_plan
    assert plan.is_agreed and plan.agreement_recorded_at.date() >= plan.created_at.date()
    assert plan.actions.overdue(timezone.localdate()).count() == 1
    assert plan.actions.exclude(owner="").count() == plan.actions.count() >= 3


def test_demo_structures_have_training_requests_in_every_state(reference_data, demo_on):
    load()
    provider_user = User.objects.get(email="formation@demo.horizon.test")
    provider = provider_user.provider_memberships.get().provider
    requests = TrainingRequest.objects.select_related("structure", "formation", "requested_by")
    assert {r.status for r in requests} == set(RequestStatus.values)
    for training_request in requests:
        assert training_request.structure.source == StructureSource.DEMO
        assert training_request.structure.responses.filter(is_latest=True).exists()  # it took the diagnostic
        assert training_request.formation.source == "demo"
        assert (
            Membership.objects.active()
            .filter(structure=training_request.structure, user=training_request.requested_by)
            .exists()
        )
        events = list(training_request.events.order_by("created_at", "pk"))
        assert events[0].from_status == "" and events[0].to_status == RequestStatus.SENT
        assert events[0].user == training_request.requested_by
        assert events[-1].to_status == training_request.status
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
    assert requests.filter(formation__provider=provider).count() >= 4
    assert requests.exclude(formation__provider=provider).exists()
    assert requests.values("structure").distinct().count() >= 4
    refusal = RequestEvent.objects.get(to_status=RequestStatus.REFUSED)
    assert refusal.note and refusal.user == provider_user

    employer = User.objects.get(email="employeur@demo.horizon.test")
    own = requests.filter(structure__name="Centre social et culturel Le Pont", formation__provider=provider)
    assert {r.status for r in own} >= {RequestStatus.SENT, RequestStatus.ACCEPTED}
    assert all(r.requested_by == employer for r in own)
    accepted = own.get(status=RequestStatus.ACCEPTED).events.get(to_status=RequestStatus.ACCEPTED)
    assert accepted.user == provider_user


def test_running_it_again_creates_nothing(reference_data, demo_on):
    load()
    before = table_counts()
    output = load()
    assert table_counts() == before
    assert before["TrainingRequest"] >= 6
    assert "déjà chargées" in output


def test_running_it_again_resets_a_changed_password(reference_data, demo_on):
    load()
    consultant = User.objects.get(email="consultant@demo.horizon.test")
    consultant.set_password("un-autre-mot-de-passe")
    consultant.save()
    output = load()
    assert "Mot de passe remis" in output
    assert authenticate(username=consultant.email, password="horizon-demo") is not None


def test_a_larger_count_adds_only_the_missing_structures(reference_data, demo_on):
    load()
    first = set(Structure.objects.values_list("siret", "rna"))
    call_command("load_demo", structures=COUNT + 10, stdout=StringIO())
    after = set(Structure.objects.values_list("siret", "rna"))
    assert first < after and len(after) == COUNT + 11


def test_refused_when_demo_accounts_are_off(reference_data, settings):
    settings.DEMO_ACCOUNTS = False
    with pytest.raises(CommandError, match="DEMO_ACCOUNTS"):
        load()
    assert not User.objects.exists() and not Structure.objects.exists()


def test_refused_without_territories(db, demo_on):
    demo_referentials()
    with pytest.raises(CommandError, match="load_territories"):
        load()
    assert not User.objects.exists()


def test_refused_without_referentials(db, demo_on):
    from .factories import small_territory

    small_territory()
    assert Commune.objects.exists()
    with pytest.raises(CommandError, match="load_referentials"):
        load()
