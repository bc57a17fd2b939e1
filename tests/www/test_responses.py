"""Answering a questionnaire: who may see and do what, start and resume, autosave (valid, invalid, conflict),
conditional questions, submission, reopening, export, and constant query counts. The sample questionnaire of
tests/questionnaires/fixtures is published here: nothing depends on the real definitions folder."""

from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from horizon.programmes.enums import ProgrammeRole
from horizon.questionnaires import services
from horizon.questionnaires.definition import load
from horizon.questionnaires.enums import ResponseEventKind, ResponseStatus
from horizon.questionnaires.models import Response
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status
from tests.queries import count_queries

SAMPLE = load(Path(__file__).resolve().parents[1] / "questionnaires" / "fixtures" / "sample.yaml")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def version(db):
    return services.publish(SAMPLE)[0]


@pytest.fixture
def draft(version, structure, admin):
    return services.start(version, structure, admin, variant="pme")


def save(client, response, name, value, revision=0, htmx=True):
    data = {"question": name, name: value, f"rev-{name}": revision}
    return client.post(reverse("responses:save", args=[response.pk]), data, **(HTMX if htmx else {}))


def reload(response):
    return Response.objects.get(pk=response.pk)


# --- Permission matrix ---------------------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "admin", "member", "other_member", *ProgrammeRole.values]
OTHER_ROLES = [role for role in ProgrammeRole.values if role != ProgrammeRole.COORDINATOR]
STRANGERS = {"no_role": NOT_FOUND, "other_member": NOT_FOUND, **dict.fromkeys(OTHER_ROLES, NOT_FOUND)}
MATRIX = {
    "structure": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "detail": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "section": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "submit": {"admin": OK, "member": OK, "coordinator": FORBIDDEN, **STRANGERS},
    "submitted_detail": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "submitted_section": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "submitted_submit": {"admin": FORBIDDEN, "member": FORBIDDEN, "coordinator": FORBIDDEN, **STRANGERS},
    "export": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        "other_member": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
}


@pytest.fixture
def world(draft, structure, admin, member, version):
    submitted = services.start(version, structure, admin, variant="tpe")
    services.submit(submitted, admin)
    users = {
        "admin": admin,
        "member": member,
        "other_member": employer(StructureFactory()),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in ProgrammeRole.values},
    }
    urls = {
        "structure": reverse("responses:structure", args=[structure.pk]),
        "detail": reverse("responses:detail", args=[draft.pk]),
        "section": reverse("responses:section", args=[draft.pk, 1]),
        "submit": reverse("responses:submit", args=[draft.pk]),
        "submitted_detail": reverse("responses:detail", args=[submitted.pk]),
        "submitted_section": reverse("responses:section", args=[submitted.pk, 2]),
        "submitted_submit": reverse("responses:submit", args=[submitted.pk]),
        "export": reverse("responses:export", args=["exemple"]),
    }
    return users, urls


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role, page):
    users, urls = world
    user = None if role == "anonymous" else users[role]
    assert_status(client, user, urls[page], MATRIX[page].get(role), f"{role} on {page}")


@pytest.mark.parametrize("role", ["other_member", "no_role", *OTHER_ROLES])
def test_forged_ids_never_write_nor_show_data(client, world, draft, structure, role):
    users, _ = world
    client.force_login(users[role])
    assert save(client, draft, "fiches_de_poste", "3").status_code == NOT_FOUND
    assert save(client, draft, "fiches_de_poste", "3", htmx=False).status_code == NOT_FOUND
    assert client.post(reverse("responses:submit", args=[draft.pk])).status_code == NOT_FOUND
    assert client.post(reverse("responses:start", args=[structure.pk, "exemple"])).status_code == NOT_FOUND
    draft.refresh_from_db()
    assert draft.answers == {} and draft.is_draft
    assert structure.responses.count() == 2


def test_forged_ids_of_another_structure_find_nothing(client, draft):
    client.force_login(employer(StructureFactory()))
    for url in (
        reverse("responses:detail", args=[draft.pk]),
        reverse("responses:section", args=[draft.pk, 1]),
        reverse("responses:structure", args=[draft.structure_id]),
    ):
        response = client.get(url)
        assert response.status_code == NOT_FOUND
        assert "Centre social Bastide" not in response.content.decode()


def test_coordinators_read_but_never_answer(client, draft, coordinator, structure):
    client.force_login(coordinator)
    page = client.get(reverse("responses:section", args=[draft.pk, 1])).content.decode()
    assert "seuls les membres de la structure y répondent" in page
    assert 'name="fiches_de_poste"' not in page
    response = save(client, draft, "fiches_de_poste", "3")
    assert response.status_code == FORBIDDEN
    assert "seuls les membres de la structure y répondent" in response.content.decode()
    assert save(client, draft, "fiches_de_poste", "3", htmx=False).status_code == FORBIDDEN
    assert client.post(reverse("responses:start", args=[structure.pk, "exemple"])).status_code == FORBIDDEN
    assert client.post(reverse("responses:submit", args=[draft.pk])).status_code == FORBIDDEN
    assert reload(draft).answers == {}


# --- Start and resume ----------------------------------------------------------------------------------------


def test_a_member_starts_a_response_of_the_variant_of_its_size_then_resumes_it(client, version, structure, member):
    client.force_login(member)
    url = reverse("responses:start", args=[structure.pk, "exemple"])
    first = client.post(url)
    response = structure.responses.get()
    assert first["Location"] == reverse("responses:detail", args=[response.pk])
    assert response.version == version and response.variant == "tpe" and response.is_draft
    assert response.events.get().kind == ResponseEventKind.STARTED

    again = client.post(url)
    assert again["Location"] == first["Location"]
    assert structure.responses.count() == 1
    page = client.get(again["Location"]).content.decode()
    assert "déjà en cours pour votre structure" in page


def test_starting_never_happens_on_get(client, version, structure, member):
    client.force_login(member)
    assert client.get(reverse("responses:start", args=[structure.pk, "exemple"])).status_code == 405
    assert not structure.responses.exists()


def test_an_unpublished_questionnaire_cannot_be_started(client, db, structure, member):
    client.force_login(member)
    response = client.post(reverse("responses:start", args=[structure.pk, "inconnu"]), follow=True)
    assert "Le questionnaire « inconnu » n&#x27;est pas publié" in response.content.decode()
    assert not structure.responses.exists()


def test_the_structure_page_lists_questionnaires_and_responses(client, draft, structure, admin):
    client.force_login(admin)
    page = client.get(reverse("responses:structure", args=[structure.pk])).content.decode()
    assert "Questionnaire d&#x27;exemple" in page
    assert reverse("responses:detail", args=[draft.pk]) in page
    assert "Reprendre" in page


# --- Overview and sections -----------------------------------------------------------------------------------


def test_the_overview_shows_progress_by_section_and_where_to_resume(client, draft, admin):
    services.save_answers(
        draft, {"fiches_de_poste": "2", "organigramme": "jour", "besoin_organisation": "no"}, 0, admin
    )
    client.force_login(admin)
    page = client.get(reverse("responses:detail", args=[draft.pk])).content.decode()
    assert "Questionnaire d&#x27;exemple" in page and "version 1" in page and "Centre social Bastide" in page
    assert "3 réponses sur 3" in page  # Organisation: complete
    assert "0 réponse sur 5" in page  # Formation (pme): the follow-up question stays hidden
    assert "3 réponses sur 8" in page
    assert "Reprendre là où vous en étiez" in page
    assert reverse("responses:section", args=[draft.pk, 2]) in page


def test_each_type_of_question_renders_its_inputs(client, draft, admin):
    services.save_answers(draft, {"plan_formation": "yes", "dispositifs": ["afest"], "effectif_forme": "7,5"}, 0, admin)
    client.force_login(admin)
    page = client.get(reverse("responses:section", args=[draft.pk, 2])).content.decode()
    assert '<legend class="h5 fw-semibold">Avez-vous un plan de développement des compétences ?</legend>' in page
    assert 'type="radio" name="plan_formation" id="id_plan_formation_0" value="yes" checked' in page
    assert "Non applicable" in page and "Je ne sais pas" in page
    assert 'type="radio" name="plan_formation_suivi"' in page  # shown: the plan exists
    assert 'type="radio" name="entretiens_pme"' in page  # the pme variant
    assert 'type="checkbox" name="dispositifs" id="id_dispositifs_0" value="afest" checked' in page
    assert 'name="effectif_forme" id="id_effectif_forme" value="7,5"' in page and "personnes" in page
    assert '<textarea class="form-control" name="commentaire"' in page
    assert 'role="status" aria-live="polite"' in page
    assert 'hx-trigger="input changed delay:800ms, change"' in page


def test_a_ladder_shows_each_level_with_its_label(client, draft, admin):
    client.force_login(admin)
    page = client.get(reverse("responses:section", args=[draft.pk, 1])).content.decode()
    assert "<legend" in page and "Vos postes sont-ils décrits ?" in page
    assert "Fiches revues chaque année en entretien" in page


def test_questions_of_another_variant_are_not_asked(client, version, structure, admin):
    tpe = services.start(version, structure, admin, variant="tpe")
    client.force_login(admin)
    page = client.get(reverse("responses:section", args=[tpe.pk, 2])).content.decode()
    assert "entretiens_pme" not in page


def test_an_unknown_section_is_not_found(client, draft, admin):
    client.force_login(admin)
    assert client.get(reverse("responses:section", args=[draft.pk, 9])).status_code == NOT_FOUND


# --- Saving --------------------------------------------------------------------------------------------------


def test_an_autosaved_answer_is_stored_and_said(client, draft, member):
    client.force_login(member)
    response = save(client, draft, "fiches_de_poste", "3")
    assert response.status_code == OK
    body = response.content.decode()
    assert 'data-state="saved"' in body and "Enregistré à " in body
    assert '<div id="state-fiches_de_poste" hx-swap-oob="true">' in body
    assert 'name="rev-fiches_de_poste" value="1"' in body
    draft = reload(draft)
    assert draft.answers == {"fiches_de_poste": 3} and draft.answer_authors == {"fiches_de_poste": member.pk}
    # Leaving and coming back shows exactly what was saved.
    page = client.get(reverse("responses:section", args=[draft.pk, 1])).content.decode()
    assert 'name="fiches_de_poste" id="id_fiches_de_poste_3" value="3" checked' in page


def test_an_invalid_answer_is_explained_in_french_and_nothing_stored(client, draft, member):
    client.force_login(member)
    response = save(client, draft, "effectif_forme", "douze")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-state="error"' in body and "Saisissez un nombre, par exemple 12 ou 7,5." in body
    assert "hx-swap-oob" in body  # the progress only: the revision has not moved
    assert "state-effectif_forme" not in body
    draft = reload(draft)
    assert draft.answers == {} and draft.revision == 0


def test_a_forged_choice_is_refused(client, draft, member):
    client.force_login(member)
    response = save(client, draft, "organigramme", "piraté")
    assert response.status_code == 422
    assert "Choisissez une des réponses proposées." in response.content.decode()
    assert reload(draft).answers == {}


def test_a_stale_page_gets_the_colleagues_answer_and_never_overwrites_it(client, draft, admin, member):
    services.save_answers(draft, {"organigramme": "jour"}, 0, admin)  # Alice answers at revision 1
    client.force_login(member)  # Bruno's page was loaded at revision 0
    response = save(client, draft, "organigramme", "non", revision=0)
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-state="conflict"' in body
    assert (
        "Une autre personne (Alice Durand) a répondu « Oui, à jour » entre-temps. "
        "Votre réponse n&#x27;a pas été enregistrée." in body
    )
    # The input is reset to the stored answer and the question now counts as seen at the current revision.
    assert '<div id="inputs-organigramme" hx-swap-oob="true">' in body
    assert 'value="jour" checked' in body
    assert 'name="rev-organigramme" value="1"' in body
    assert reload(draft).answers == {"organigramme": "jour"}
    # Another question saved from the same stale page merges without a conflict.
    assert save(client, draft, "fiches_de_poste", "1", revision=0).status_code == OK
    assert reload(draft).answers == {"organigramme": "jour", "fiches_de_poste": 1}


def test_my_own_answer_from_another_tab_is_named_as_mine(client, draft, admin):
    services.save_answers(draft, {"plan_formation": "no"}, 0, admin)
    client.force_login(admin)
    body = save(client, draft, "plan_formation", "yes", revision=0).content.decode()
    assert "Vous avez répondu « Non » depuis une autre page entre-temps." in body


def test_a_conditional_question_appears_after_the_answer_that_reveals_it(client, draft, member):
    client.force_login(member)
    page = client.get(reverse("responses:section", args=[draft.pk, 2])).content.decode()
    assert '<div id="q-plan_formation_suivi" class="question-slot" hidden>' in page

    body = save(client, draft, "plan_formation", "yes").content.decode()
    assert '<div id="q-plan_formation_suivi" class="question-slot" hx-swap-oob="true">' in body
    assert 'name="plan_formation_suivi"' in body
    assert "Une nouvelle question est apparue dans cette section." in body
    assert "0 réponse sur 5" not in body and "1 réponse sur 6" in body

    body = save(client, draft, "plan_formation", "no", revision=1).content.decode()
    assert '<div id="q-plan_formation_suivi" class="question-slot" hx-swap-oob="true" hidden>' in body


def test_without_javascript_the_section_button_saves_what_changed(client, draft, admin, member):
    services.save_answers(draft, {"organigramme": "jour"}, 0, admin)
    client.force_login(member)
    url = reverse("responses:save", args=[draft.pk])
    # The page was loaded before Alice's answer; Bruno did not touch « organigramme »: no false conflict.
    data = {
        "section": "1",
        "fiches_de_poste": "2",
        "rev-fiches_de_poste": "0",
        "initial-fiches_de_poste": "null",
        "rev-organigramme": "0",
        "initial-organigramme": "null",
        "besoin_organisation": "yes",
        "rev-besoin_organisation": "0",
        "initial-besoin_organisation": "null",
    }
    response = client.post(url, data)
    assert response["Location"] == reverse("responses:section", args=[draft.pk, 1])
    assert reload(draft).answers == {"organigramme": "jour", "fiches_de_poste": 2, "besoin_organisation": "yes"}
    page = client.get(response["Location"]).content.decode()
    assert "Vos réponses ont été enregistrées." in page

    following = client.post(url, {**data, "rev-fiches_de_poste": "2", "initial-fiches_de_poste": "2", "suite": "2"})
    assert following["Location"] == reverse("responses:section", args=[draft.pk, 2])


def test_without_javascript_a_refused_answer_comes_back_as_typed(client, draft, admin, member):
    services.save_answers(draft, {"commentaire": "Écrit par Alice"}, 0, admin)
    client.force_login(member)
    data = {
        "section": "2",
        "effectif_forme": "douze",
        "rev-effectif_forme": "0",
        "initial-effectif_forme": "null",
        "commentaire": "Écrit par Bruno",
        "rev-commentaire": "0",
        "initial-commentaire": "null",
        "plan_formation": "no",
        "rev-plan_formation": "0",
        "initial-plan_formation": "null",
    }
    response = client.post(reverse("responses:save", args=[draft.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Certaines réponses n'ont pas été enregistrées" in page
    assert 'value="douze"' in page and "Saisissez un nombre" in page
    assert "Une autre personne (Alice Durand) a répondu « Écrit par Alice » entre-temps." in page
    assert ">Écrit par Alice</textarea>" in page
    assert reload(draft).answers == {"commentaire": "Écrit par Alice", "plan_formation": "no"}


def test_saving_never_happens_on_get(client, draft, member):
    client.force_login(member)
    url = reverse("responses:save", args=[draft.pk]) + "?question=fiches_de_poste&fiches_de_poste=3"
    assert client.get(url).status_code == 405
    assert reload(draft).answers == {}


def test_an_unknown_question_is_not_found(client, draft, member):
    client.force_login(member)
    assert save(client, draft, "inconnue", "1").status_code == NOT_FOUND


# --- Submit, read-only, reopen -------------------------------------------------------------------------------


def test_submitting_lists_unanswered_questions_then_freezes_and_scores(client, draft, member):
    services.save_answers(draft, {"fiches_de_poste": "4", "organigramme": "jour", "plan_formation": "no"}, 0, member)
    client.force_login(member)
    confirmation = client.get(reverse("responses:submit", args=[draft.pk])).content.decode()
    assert "Questions encore sans réponse" in confirmation
    assert "Entretiens professionnels" in confirmation and "Vos postes sont-ils décrits ?" not in confirmation
    assert Response.objects.get(pk=draft.pk).is_draft  # GET never writes

    response = client.post(reverse("responses:submit", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Le questionnaire a été envoyé." in page
    draft = reload(draft)
    assert draft.status == ResponseStatus.SUBMITTED and draft.submitted_by == member
    assert {r.dimension: r.level for r in draft.results.all()} == {"organisation": 4, "formation": 0}
    assert "Niveau 4 sur 4" in page and "Organisation du travail" in page
    assert "Fiches revues chaque année en entretien" in page  # the answers, read-only


def test_a_submitted_response_is_read_only(client, draft, member):
    services.save_answers(draft, {"fiches_de_poste": "2"}, 0, member)
    services.submit(draft, member)
    client.force_login(member)
    page = client.get(reverse("responses:section", args=[draft.pk, 1])).content.decode()
    assert "ne sont plus modifiables" in page and "Une fiche par poste" in page
    assert 'name="fiches_de_poste"' not in page
    htmx = save(client, draft, "fiches_de_poste", "4", revision=1)
    assert htmx.status_code == FORBIDDEN
    assert "Ce questionnaire a été envoyé : il n&#x27;est plus modifiable." in htmx.content.decode()
    plain = save(client, draft, "fiches_de_poste", "4", revision=1, htmx=False)
    assert plain.status_code == FORBIDDEN and "il n&#x27;est plus modifiable" in plain.content.decode()
    assert reload(draft).answers == {"fiches_de_poste": 2}


def test_reopening_needs_a_coordinator_and_a_reason(client, draft, member, coordinator):
    services.submit(draft, member)
    url = reverse("responses:reopen", args=[draft.pk])

    client.force_login(member)
    assert client.post(url, {"reason": "Je veux corriger"}).status_code == FORBIDDEN
    client.force_login(employer(StructureFactory()))
    assert client.post(url, {"reason": "Je veux corriger"}).status_code == NOT_FOUND
    assert not reload(draft).is_draft

    client.force_login(coordinator)
    detail = client.get(reverse("responses:detail", args=[draft.pk])).content.decode()
    assert "Motif de la réouverture" in detail
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 422
    assert "Indiquez le motif de la réouverture." in refused.content.decode()
    assert not reload(draft).is_draft

    response = client.post(url, {"reason": "Effectif erroné"}, follow=True)
    assert "Le questionnaire est rouvert" in response.content.decode()
    draft = reload(draft)
    assert draft.is_draft and not draft.results.exists()
    event = draft.events.last()
    assert (event.kind, event.note, event.user) == (ResponseEventKind.REOPENED, "Effectif erroné", coordinator)
    assert "motif : Effectif erroné" in response.content.decode()
    assert client.post(url, {"reason": "Encore"}).status_code == FORBIDDEN  # a draft cannot be reopened


# --- Export --------------------------------------------------------------------------------------------------


def test_the_export_is_a_workbook_with_one_row_per_response(client, draft, member, coordinator):
    services.save_answers(draft, {"fiches_de_poste": "2"}, 0, member)
    client.force_login(coordinator)
    response = client.get(reverse("responses:export", args=["exemple"]))
    assert response.status_code == OK
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="reponses-exemple-')
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["reponse_id"], row["version"], row["fiches_de_poste"]) == (draft.pk, 1, 2)
    assert client.get(reverse("responses:export", args=["inconnu"])).status_code == NOT_FOUND


# --- Query counts --------------------------------------------------------------------------------------------


def _big_definition(sections, per_section):
    return {
        "code": "grand",
        "title": "Grand questionnaire",
        "dimensions": [{"code": f"d{s}", "label": f"Dimension {s}"} for s in range(sections)],
        "sections": [
            {
                "title": f"Section {s}",
                "dimension": f"d{s}",
                "questions": [
                    {
                        "name": f"q{s}_{q}",
                        "type": "ladder",
                        "label": f"Question {s}.{q}",
                        "levels": [{"value": 0, "label": "Non"}, {"value": 1, "label": "Oui"}],
                        **({"show_if": {"question": f"q{s}_0", "equals": 1}} if q == per_section - 1 else {}),
                    }
                    for q in range(per_section)
                ],
            }
            for s in range(sections)
        ],
    }


@pytest.mark.parametrize("submitted", [False, True])
def test_pages_run_a_constant_number_of_queries(client, db, structure, admin, submitted):
    def visits(sections, per_section):
        version = services.publish(_big_definition(sections, per_section))[0]
        response = services.start(version, structure, admin)
        answers = {f"q{s}_{q}": "1" for s in range(sections) for q in range(per_section)}
        services.save_answers(response, answers, 0, admin)
        if submitted:
            services.submit(response, admin)
        client.force_login(admin)
        urls = [reverse("responses:detail", args=[response.pk]), reverse("responses:section", args=[response.pk, 1])]
        counts = []
        for url in urls:
            client.get(url)  # warm the session
            counts.append(count_queries(lambda url=url: client.get(url)))
        return counts

    few = visits(2, 2)
    many = visits(8, 12)
    assert all(count > 0 for count in few)
    assert many == few
