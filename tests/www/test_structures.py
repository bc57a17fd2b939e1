from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from horizon.organisations.enums import ChangeAction, MembershipRole
from horizon.organisations.models import Structure
from horizon.organisations.services import record_change
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import CollectiveFactory, ContactFactory, StructureFactory, employer, make_siret
from tests.factories.referentials import ProgrammeSectorFactory
from tests.factories.territories import CommuneFactory, DepartementFactory
from tests.queries import count_queries


@pytest.fixture
def coordinator_client(client, db):
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    return client


@pytest.fixture
def landes(db):
    return CommuneFactory(
        code="40192", name="Mont-de-Marsan", departement=DepartementFactory(code="40", name="Landes"), epci=None
    )


def test_list_filters_by_departement_sector_and_text(coordinator_client, landes):
    petite_enfance = ProgrammeSectorFactory(code="petite_enfance", label="Petite enfance")
    StructureFactory(name="Centre social Bastide")
    StructureFactory(name="Crèche Les Pins", commune=landes, sector=petite_enfance)
    StructureFactory(name="Crèche Lacanau")

    response = coordinator_client.get(reverse("structures:list"), {"departement": "40"})
    assert [s.name for s in response.context["page"].object_list] == ["Crèche Les Pins"]
    assert response.context["active_filters"][0][:2] == ("Département", "Landes (40)")

    response = coordinator_client.get(reverse("structures:list"), {"q": "creche", "secteur": "petite_enfance"})
    assert [s.name for s in response.context["page"].object_list] == ["Crèche Les Pins"]

    response = coordinator_client.get(reverse("structures:list"), {"q": "CRÈCHE", "tri": "-nom"})
    assert [s.name for s in response.context["page"].object_list] == ["Crèche Les Pins", "Crèche Lacanau"]


def test_list_finds_by_siret_and_commune(coordinator_client, landes):
    target = StructureFactory(name="Cible", commune=landes)
    StructureFactory(name="Autre")
    for q in [target.siret, target.siret[:9], "mont de marsan"]:
        response = coordinator_client.get(reverse("structures:list"), {"q": q})
        assert [s.name for s in response.context["page"].object_list] == ["Cible"], q


def test_list_htmx_returns_only_the_results(coordinator_client, db):
    StructureFactory(name="Centre social Bastide")
    response = coordinator_client.get(reverse("structures:list"), {"q": "bastide"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "Centre social Bastide" in content
    assert "<html" not in content


def test_an_invalid_filter_is_explained_and_the_valid_ones_still_apply(coordinator_client, db):
    StructureFactory(name="Crèche Les Pins")
    StructureFactory(name="Centre social Bastide")
    response = coordinator_client.get(reverse("structures:list"), {"departement": "zz", "tranche": "99", "q": "creche"})
    assert response.status_code == 200
    assert [s.name for s in response.context["page"].object_list] == ["Crèche Les Pins"]
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(coordinator_client, db):
    collective = CollectiveFactory()
    for _ in range(3):
        collective.structures.add(StructureFactory())

    def page():
        coordinator_client.get(reverse("structures:list"), {"collectif": collective.pk})

    few = count_queries(page)
    assert few <= 12
    for _ in range(30):
        collective.structures.add(StructureFactory())
    assert count_queries(page) == few


def test_export_xlsx_follows_the_filters(coordinator_client, landes):
    StructureFactory(name="Crèche Les Pins", commune=landes)
    StructureFactory(name="Centre social Bastide")
    response = coordinator_client.get(reverse("structures:export"), {"departement": "40"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("SIRET", "RNA", "Raison sociale")
    assert [row[2] for row in rows[1:]] == ["Crèche Les Pins"]


def test_detail_shows_profile_contacts_and_history_in_constant_queries(client, db):
    structure = StructureFactory(name="Centre social Bastide")
    user = employer(structure)
    client.force_login(user)
    ContactFactory(structure=structure, first_name="Dominique", last_name="Durand")
    record_change(structure, user, ChangeAction.UPDATED, {"name": ["Ancien", "Centre social Bastide"]})

    def detail():
        client.get(reverse("structures:detail", args=[structure.pk]))

    few = count_queries(detail)
    assert few <= 15
    response = client.get(reverse("structures:detail", args=[structure.pk]))
    content = response.content.decode()
    assert "Centre social Bastide" in content
    assert "Dominique Durand" in content
    assert "Raison sociale : « Ancien » → « Centre social Bastide »" in content
    for n in range(10):
        ContactFactory(structure=structure)
        record_change(structure, user, ChangeAction.UPDATED, {"phone": ["", f"05 56 00 00 {n:02d}"]})
        employer(structure)
        CollectiveFactory().structures.add(structure)
    assert count_queries(detail) == few


def _profile_data(structure, **overrides):
    data = {
        "name": structure.name,
        "siret": structure.siret,
        "headcount_band": structure.headcount_band,
        "commune": structure.commune_id,
        "postal_code": structure.postal_code,
        "address": structure.address,
    }
    data.update(overrides)
    return data


def test_admin_edits_the_profile_and_history_records_who_and_what(client, db):
    structure = StructureFactory(name="Ancien nom", headcount_fte=None)
    user = employer(structure)
    client.force_login(user)
    response = client.post(
        reverse("structures:edit", args=[structure.pk]),
        _profile_data(structure, name="Nouveau nom", headcount_fte="7,5"),
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.name == "Nouveau nom"
    assert str(structure.headcount_fte) == "7.50"
    change = structure.changes.get(action=ChangeAction.UPDATED)
    assert change.user == user
    assert change.changes["name"] == ["Ancien nom", "Nouveau nom"]


@pytest.mark.parametrize(
    "siret, message",
    [
        ("12345678901234", "la clé de contrôle ne correspond pas"),
        ("1234", "14 chiffres"),
        ("abcdefghijklmn", "14 chiffres"),
    ],
)
def test_bad_siret_is_refused_with_a_french_message(client, db, siret, message):
    structure = StructureFactory()
    client.force_login(employer(structure))
    response = client.post(reverse("structures:edit", args=[structure.pk]), _profile_data(structure, siret=siret))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Structure.objects.get(pk=structure.pk).siret == structure.siret
    assert not structure.changes.filter(action=ChangeAction.UPDATED).exists()


def test_siret_with_spaces_is_accepted_and_la_poste_exception_holds(client, db):
    structure = StructureFactory()
    client.force_login(employer(structure))
    client.post(reverse("structures:edit", args=[structure.pk]), _profile_data(structure, siret="356 000 000 49837"))
    structure.refresh_from_db()
    assert structure.siret == "35600000049837"


def test_duplicate_siret_and_missing_identifier_are_explained(client, db):
    taken = StructureFactory()
    structure = StructureFactory()
    client.force_login(employer(structure))
    response = client.post(reverse("structures:edit", args=[structure.pk]), _profile_data(structure, siret=taken.siret))
    assert "déjà inscrite" in response.content.decode()
    response = client.post(reverse("structures:edit", args=[structure.pk]), _profile_data(structure, siret=""))
    assert "ou, à défaut, le numéro RNA" in response.content.decode()


def test_declare_a_new_structure_makes_the_user_its_admin(client, db):
    commune = CommuneFactory()
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("structures:declare"),
        {"name": "Association Nouvelle", "rna": "w332009999", "commune": commune.pk, "postal_code": "33000"},
    )
    structure = Structure.objects.get(name="Association Nouvelle")
    assert response.status_code == 302
    assert structure.rna == "W332009999"
    assert structure.memberships.get(user=user).role == MembershipRole.ADMIN
    assert structure.changes.filter(action=ChangeAction.CREATED).exists()


def test_find_then_claim_a_structure_without_admin(client, db):
    structure = StructureFactory(name="Maison de quartier du Lac")
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("structures:find"), {"q": "quartier lac"})
    assert list(response.context["results"]) == [structure]
    response = client.post(reverse("structures:claim", args=[structure.pk]))
    assert response.status_code == 302
    assert structure.memberships.get(user=user).role == MembershipRole.ADMIN


def test_claiming_a_structure_that_has_an_admin_is_refused(client, db):
    structure = StructureFactory()
    employer(structure)
    intruder = UserFactory()
    client.force_login(intruder)
    response = client.post(reverse("structures:claim", args=[structure.pk]), follow=True)
    assert "a déjà un administrateur" in response.content.decode()
    assert not structure.memberships.filter(user=intruder).exists()


def test_claim_requires_post(client, db):
    structure = StructureFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("structures:claim", args=[structure.pk])).status_code == 405
    assert not structure.memberships.exists()


def test_admin_invites_a_colleague_by_email(client, db, mailoutbox):
    structure = StructureFactory(name="Centre social Bastide")
    client.force_login(employer(structure))
    response = client.post(
        reverse("structures:members", args=[structure.pk]), {"email": "Collegue@Exemple.fr", "role": "member"}
    )
    assert response.status_code == 302
    invitation = structure.invitations.get()
    assert invitation.email == "collegue@exemple.fr"
    assert mailoutbox[0].to == ["collegue@exemple.fr"]
    assert invitation.token in mailoutbox[0].body
    assert "Centre social Bastide" in mailoutbox[0].subject


def test_invitation_form_errors_are_in_french(client, db):
    structure = StructureFactory()
    admin = employer(structure)
    client.force_login(admin)
    response = client.post(
        reverse("structures:members", args=[structure.pk]), {"email": "pas-un-email", "role": "member"}
    )
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    response = client.post(reverse("structures:members", args=[structure.pk]), {"email": admin.email, "role": "member"})
    assert "déjà membre" in response.content.decode()
    assert not structure.invitations.exists()


def test_the_last_admin_cannot_be_removed(client, db):
    structure = StructureFactory()
    admin = employer(structure)
    client.force_login(admin)
    client.post(reverse("structures:remove_member", args=[structure.pk, admin.memberships.get().pk]))
    assert admin.memberships.get().is_active


def test_contact_requires_consent_and_records_its_date(client, db):
    structure = StructureFactory()
    client.force_login(employer(structure))
    data = {"first_name": "Alex", "last_name": "Dupuis", "email": "alex@exemple.fr"}
    response = client.post(reverse("structures:add_contact", args=[structure.pk]), data)
    assert response.status_code == 422
    assert "consentement" in response.content.decode()
    assert not structure.contacts.exists()
    client.post(reverse("structures:add_contact", args=[structure.pk]), {**data, "consent": "on"})
    assert structure.contacts.get().consent_date is not None


def test_member_sees_but_cannot_edit(client, db):
    structure = StructureFactory(name="Avant")
    client.force_login(employer(structure, MembershipRole.MEMBER))
    response = client.post(reverse("structures:edit", args=[structure.pk]), _profile_data(structure, name="Après"))
    assert response.status_code == 403
    structure.refresh_from_db()
    assert structure.name == "Avant"


def test_siret_generator_is_valid():
    from horizon.organisations.identifiers import validate_siret

    validate_siret(make_siret(12))


def test_find_and_members_pages_query_count_does_not_grow(client, db):
    structure = StructureFactory(name="Maison de quartier")
    user = employer(structure)
    client.force_login(user)
    pages = [reverse("structures:find") + "?q=maison", reverse("structures:members", args=[structure.pk])]

    def visit():
        for url in pages:
            client.get(url)

    few = count_queries(visit)
    assert few <= 15
    for n in range(15):
        StructureFactory(name=f"Maison des jeunes {n}")
        employer(structure)
        client.post(
            reverse("structures:members", args=[structure.pk]), {"email": f"invite{n}@exemple.fr", "role": "member"}
        )
    assert count_queries(visit) == few
