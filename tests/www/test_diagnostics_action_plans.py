"""The action plan pages: who may see and do what, the life of a plan (build, add, edit, change status with and
without htmx, agree, change again), French errors, forged ids, constant query counts, and the structure page's
"Diagnostic RH" card."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from horizon.diagnostics import action_plans
from horizon.diagnostics.enums import ActionStatus
from horizon.diagnostics.models import Action, ActionPlan
from horizon.organisations.enums import ChangeAction
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.diagnostics import draft_diagnostic, submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status
from tests.queries import count_queries

HTMX = {"HTTP_HX_REQUEST": "true"}
LEVELS = {"gpec": 0, "dialogue_social": 1, "sante_securite_qvct": 1}


@pytest.fixture
def diagnostic(structure, admin):
    return submitted_diagnostic(structure, admin, levels=LEVELS, default=3)


@pytest.fixture
def plan(diagnostic, admin):
    return action_plans.create_plan(diagnostic, admin)


def plan_url(response):
    return reverse("diagnostics:action_plan", args=[response.pk])


def history(structure, action=ChangeAction.ACTION_PLAN_CHANGED):
    return list(structure.changes.filter(action=action).order_by("created_at", "id"))


# --- Permission matrix ---------------------------------------------------------------------------------------

OTHER_ROLES = [role for role in ProgrammeRole.values if role != ProgrammeRole.COORDINATOR]
ROLES = ["anonymous", "admin", "member", "coordinator", "other_admin", "no_role", *OTHER_ROLES]
STRANGERS = {"other_admin": NOT_FOUND, "no_role": NOT_FOUND, **dict.fromkeys(OTHER_ROLES, NOT_FOUND)}
READ = {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS}
WRITE = {"admin": OK, "member": OK, "coordinator": FORBIDDEN, **STRANGERS}
PAGES = {"plan": READ, "plan_without_plan": READ, "add": WRITE, "edit": WRITE, "agree": WRITE}


@pytest.fixture
def world(structure, admin, member, coordinator, plan, diagnostic):
    other = StructureFactory()
    users = {
        "admin": admin,
        "member": member,
        "coordinator": coordinator,
        "other_admin": employer(other),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in OTHER_ROLES},
    }
    second = submitted_diagnostic(structure, admin, levels=LEVELS)
    action = plan.actions.first()
    urls = {
        "plan": plan_url(diagnostic),
        "plan_without_plan": plan_url(second),
        "add": reverse("diagnostics:action_add", args=[plan.pk]),
        "edit": reverse("diagnostics:action_edit", args=[action.pk]),
        "agree": reverse("diagnostics:action_plan_agree", args=[plan.pk]),
    }
    return users, urls, second


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_pages(client, world, role, page):
    users, urls, _ = world
    user = None if role == "anonymous" else users[role]
    assert_status(client, user, urls[page], PAGES[page].get(role), f"{role} on {page}")


WRITES = ["create", "add", "edit", "status", "agree"]
POSTED_OK = {"admin": 302, "member": 302, "coordinator": FORBIDDEN, **STRANGERS}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_writes(client, world, plan, role, write):
    users, _, second = world
    action = plan.actions.first()
    today = timezone.localdate()
    posts = {
        "create": (reverse("diagnostics:action_plan_create", args=[second.pk]), {}),
        "add": (reverse("diagnostics:action_add", args=[plan.pk]), {"title": "Nouvelle action", "dimension": ""}),
        "edit": (
            reverse("diagnostics:action_edit", args=[action.pk]),
            {"title": "Autre titre", "dimension": "gpec", "status": "todo"},
        ),
        "status": (reverse("diagnostics:action_status", args=[action.pk]), {"status": "done"}),
        "agree": (
            reverse("diagnostics:action_plan_agree", args=[plan.pk]),
            {"direction_name": "A", "staff_representative_name": "B", "agreed_on": today.isoformat()},
        ),
    }
    url, data = posts[write]
    count = len(history(plan.structure)) + len(history(plan.structure, ChangeAction.ACTION_PLAN_AGREED))
    if role != "anonymous":
        client.force_login(users[role])
    response = client.post(url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == POSTED_OK[role], f"{role} posting {write}"
    after = len(history(plan.structure)) + len(history(plan.structure, ChangeAction.ACTION_PLAN_AGREED))
    assert (after > count) == (POSTED_OK.get(role) == 302 and role != "anonymous")


def test_the_create_button_needs_post(client, admin, diagnostic):
    client.force_login(admin)
    response = client.get(reverse("diagnostics:action_plan_create", args=[diagnostic.pk]))
    assert response.status_code == 405
    assert not ActionPlan.objects.exists()
    response = client.get(reverse("diagnostics:action_status", args=[1]))
    assert response.status_code == 405


def test_the_plan_page_only_reads(client, admin, diagnostic):
    client.force_login(admin)
    assert client.post(plan_url(diagnostic)).status_code == 405
    client.get(plan_url(diagnostic))
    assert not ActionPlan.objects.exists()


def test_forged_ids_of_another_structure_find_nothing(client, plan, diagnostic):
    other = StructureFactory()
    intruder = employer(other)
    action = plan.actions.first()
    client.force_login(intruder)
    today = timezone.localdate().isoformat()
    requests = [
        ("get", plan_url(diagnostic), {}),
        ("post", reverse("diagnostics:action_plan_create", args=[diagnostic.pk]), {}),
        ("post", reverse("diagnostics:action_add", args=[plan.pk]), {"title": "Piratage"}),
        ("post", reverse("diagnostics:action_edit", args=[action.pk]), {"title": "Piratage", "status": "done"}),
        ("post", reverse("diagnostics:action_status", args=[action.pk]), {"status": "abandoned"}),
        (
            "post",
            reverse("diagnostics:action_plan_agree", args=[plan.pk]),
            {"direction_name": "X", "staff_representative_name": "Y", "agreed_on": today},
        ),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == NOT_FOUND, url
        assert "Piratage" not in response.content.decode()
    action.refresh_from_db()
    plan.refresh_from_db()
    assert action.status == ActionStatus.TODO and action.title != "Piratage" and not plan.is_agreed
    assert plan.actions.count() == len(LEVELS)
    # Ids that do not exist at all: the same answer.
    assert client.get(reverse("diagnostics:action_plan", args=[999999])).status_code == NOT_FOUND
    assert client.get(reverse("diagnostics:action_edit", args=[999999])).status_code == NOT_FOUND


def test_a_response_to_another_questionnaire_has_no_plan_page(client, structure, admin):
    from horizon.questionnaires import services

    version, _ = services.publish(
        {
            "code": "satisfaction",
            "title": "Satisfaction",
            "sections": [{"title": "S", "questions": [{"name": "q", "type": "short_text", "label": "Q"}]}],
        }
    )
    response = services.start(version, structure, admin)
    client.force_login(admin)
    assert client.get(plan_url(response)).status_code == NOT_FOUND


# --- Life cycle ----------------------------------------------------------------------------------------------


def test_before_the_plan_the_page_explains_and_lists_what_will_be_proposed(client, admin, coordinator, diagnostic):
    client.force_login(admin)
    page = client.get(plan_url(diagnostic)).content.decode()
    assert "Construire le plan d'action" in page
    assert reverse("diagnostics:action_plan_create", args=[diagnostic.pk]) in page
    assert "3 actions vous sont proposées" in page
    assert "Anticipation des emplois et des compétences (GPEC)" in page
    client.force_login(coordinator)
    page = client.get(plan_url(diagnostic)).content.decode()
    assert reverse("diagnostics:action_plan_create", args=[diagnostic.pk]) not in page
    assert "La structure n'a pas encore construit son plan d'action." in page


def test_a_draft_diagnostic_has_no_create_button(client, structure, admin):
    draft = draft_diagnostic(structure, admin)
    client.force_login(admin)
    page = client.get(plan_url(draft)).content.decode()
    assert "pas encore envoyé" in page
    assert reverse("diagnostics:action_plan_create", args=[draft.pk]) not in page
    response = client.post(reverse("diagnostics:action_plan_create", args=[draft.pk]), follow=True)
    assert "pas encore envoyé" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_life_of_a_plan(client, structure, admin, member, diagnostic):
    client.force_login(admin)
    # Build it from the proposed actions.
    response = client.post(reverse("diagnostics:action_plan_create", args=[diagnostic.pk]), follow=True)
    assert response.redirect_chain[-1][0] == plan_url(diagnostic)
    page = response.content.decode()
    assert "Le plan d&#x27;action est prêt avec 3 actions proposées" in page
    plan = ActionPlan.objects.get(response=diagnostic)
    assert plan.actions.count() == 3
    # A second click changes nothing.
    response = client.post(reverse("diagnostics:action_plan_create", args=[diagnostic.pk]), follow=True)
    assert "déjà son plan d&#x27;action" in response.content.decode()
    assert plan.actions.count() == 3

    # Add an action on another theme.
    add_url = reverse("diagnostics:action_add", args=[plan.pk])
    form = client.get(add_url + "?theme=gpec").content.decode()
    assert '<option value="gpec" selected>' in form and '<option value="">Autre</option>' in form
    response = client.post(
        add_url,
        {"title": "Organiser un séminaire d'équipe", "dimension": "", "owner": "Chloé", "due_date": "30/09/2025"},
    )
    added = plan.actions.get(title="Organiser un séminaire d'équipe")
    assert response.status_code == 302 and response["Location"].endswith(f"#action-{added.pk}")
    assert added.due_date == datetime.date(2025, 9, 30) and added.dimension == "" and added.owner == "Chloé"

    # Edit it as a colleague.
    client.force_login(member)
    edit_url = reverse("diagnostics:action_edit", args=[added.pk])
    form = client.get(edit_url).content.decode()
    assert 'value="2025-09-30"' in form
    response = client.post(
        edit_url,
        {
            "title": "Organiser un séminaire",
            "dimension": "dialogue_social",
            "description": "Une journée",
            "owner": "Chloé",
            "due_date": "2025-10-15",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.status, added.updated_by) == ("Organiser un séminaire", "in_progress", member)
    change = history(structure)[-1]
    assert change.user == member and change.changes["échéance"] == ["30/09/2025", "15/10/2025"]

    # Agree on it.
    client.force_login(admin)
    today = timezone.localdate()
    agree_url = reverse("diagnostics:action_plan_agree", args=[plan.pk])
    assert "un·e salarié·e désigné·e par l'équipe peut valider le plan" in client.get(agree_url).content.decode()
    response = client.post(
        agree_url,
        {
            "direction_name": "Alice Durand",
            "staff_representative_name": "Bruno Petit",
            "agreed_on": today.strftime("%d/%m/%Y"),
        },
        follow=True,
    )
    page = response.content.decode()
    date_fr = _french_date(today)
    assert f"Validé le {date_fr} par Alice Durand (direction) et Bruno Petit (salarié·es)" in page
    assert "Modifié depuis la validation" not in page

    # Change a status after the agreement: the page says so.
    client.post(reverse("diagnostics:action_status", args=[added.pk]), {"status": "done"})
    page = client.get(plan_url(diagnostic)).content.decode()
    assert "Modifié depuis la validation" in page

    # Agree again: recorded, the warning goes.
    client.post(
        agree_url,
        {"direction_name": "Alice Durand", "staff_representative_name": "Chloé Roux", "agreed_on": today.isoformat()},
    )
    page = client.get(plan_url(diagnostic)).content.decode()
    assert "Modifié depuis la validation" not in page and "Chloé Roux (salarié·es)" in page
    assert len(history(structure, ChangeAction.ACTION_PLAN_AGREED)) == 2


def _french_date(value):
    return date_format(value, "j F Y")


def test_status_change_with_htmx_swaps_the_row_and_the_summary(client, admin, plan):
    action = plan.actions.first()
    client.force_login(admin)
    response = client.post(
        reverse("diagnostics:action_status", args=[action.pk]), {"status": "in_progress", "tri": "etat"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="list-group-item py-3" id="action-{action.pk}">')
    assert '<option value="in_progress" selected>' in html
    assert 'id="plan-summary"' in html and 'hx-swap-oob="true"' in html
    assert f"« {action.title} » : en cours." in html
    assert 'name="tri" value="etat"' in html
    assert "<html" not in html
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_status_change_without_javascript_comes_back_to_the_plan(client, admin, plan, diagnostic):
    action = plan.actions.first()
    client.force_login(admin)
    response = client.post(reverse("diagnostics:action_status", args=[action.pk]), {"status": "done", "tri": "etat"})
    assert response.status_code == 302
    assert response["Location"] == plan_url(diagnostic) + f"?tri=etat#action-{action.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f"« {action.title} » : fait." in page
    # An order that does not exist is not echoed back.
    response = client.post(reverse("diagnostics:action_status", args=[action.pk]), {"status": "todo", "tri": "//x"})
    assert response["Location"] == plan_url(diagnostic) + f"#action-{action.pk}"


def test_a_forged_status_is_refused(client, admin, plan, diagnostic):
    action = plan.actions.first()
    client.force_login(admin)
    response = client.post(reverse("diagnostics:action_status", args=[action.pk]), {"status": "deleted"}, follow=True)
    assert "Choisissez un état de la liste." in response.content.decode()
    response = client.post(reverse("diagnostics:action_status", args=[action.pk]), {"status": "deleted"}, **HTMX)
    assert response.status_code == 422
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"title": ""}, "title", "Dites en quelques mots ce qu&#x27;il faut faire."),
        ({"title": "Ok", "due_date": "31/02/2025"}, "due_date", "Saisissez une date valide, par exemple 31/12/2026."),
        ({"title": "Ok", "due_date": "demain"}, "due_date", "Saisissez une date valide"),
        ({"title": "Ok", "due_date": "01/01/1925"}, "due_date", "Vérifiez l&#x27;année"),
        ({"title": "Ok", "dimension": "inconnue"}, "dimension", "Sélectionnez un choix valide"),
    ],
)
def test_action_form_errors_are_in_french_next_to_the_field(client, admin, plan, data, field, message):
    client.force_login(admin)
    count = plan.actions.count()
    response = client.post(reverse("diagnostics:action_add", args=[plan.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and message in page
    assert "data-error-summary" in page and f'href="#id_{field}"' in page
    assert plan.actions.count() == count


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"staff_representative_name": "B", "agreed_on": "01/03/2025"}, "direction_name", "pour la direction"),
        ({"direction_name": "A", "agreed_on": "01/03/2025"}, "staff_representative_name", "pour les salarié·es"),
        ({"direction_name": "A", "staff_representative_name": "B"}, "agreed_on", "Indiquez la date"),
        (
            {"direction_name": "A", "staff_representative_name": "B", "agreed_on": "32/01/2025"},
            "agreed_on",
            "Saisissez une date valide",
        ),
        (
            {"direction_name": "A", "staff_representative_name": "B", "agreed_on": "future"},
            "agreed_on",
            "ne peut pas être dans le futur",
        ),
        (
            {"direction_name": "A", "staff_representative_name": "B", "agreed_on": "past"},
            "agreed_on",
            "ne peut pas précéder le diagnostic",
        ),
    ],
)
def test_agreement_errors_are_in_french(client, admin, plan, data, field, message):
    today = timezone.localdate()
    dates = {"future": today + datetime.timedelta(days=1), "past": today - datetime.timedelta(days=30)}
    if data.get("agreed_on") in dates:
        data = {**data, "agreed_on": dates[data["agreed_on"]].strftime("%d/%m/%Y")}
    client.force_login(admin)
    response = client.post(reverse("diagnostics:action_plan_agree", args=[plan.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and message in page
    plan.refresh_from_db()
    assert not plan.is_agreed


def test_overdue_actions_are_said_in_words(client, admin, plan, diagnostic):
    late = plan.actions.first()
    action_plans.update_action(
        late, admin, due_date=timezone.localdate() - datetime.timedelta(days=3), owner="Chloé Roux"
    )
    done = plan.actions.exclude(pk=late.pk).first()
    action_plans.update_action(done, admin, due_date=timezone.localdate() - datetime.timedelta(days=3))
    action_plans.set_status(done, ActionStatus.DONE, admin)
    client.force_login(admin)
    page = client.get(plan_url(diagnostic)).content.decode()
    assert page.count(">En retard</span>") == 1
    assert "1 action en retard" in page and "(dépassée)" in page


def test_coordinator_reads_without_controls(client, coordinator, plan, diagnostic):
    client.force_login(coordinator)
    page = client.get(plan_url(diagnostic)).content.decode()
    assert plan.actions.first().title in page
    assert "seuls les membres de la structure le modifient" in page
    assert reverse("diagnostics:action_status", args=[plan.actions.first().pk]) not in page
    assert reverse("diagnostics:action_add", args=[plan.pk]) not in page


def test_plan_page_can_be_sorted_by_due_date_and_status(client, admin, plan, diagnostic):
    first, second, third = plan.actions.order_by("position")
    action_plans.update_action(first, admin, due_date=datetime.date(2030, 1, 1))
    action_plans.update_action(second, admin, due_date=datetime.date(2029, 1, 1))
    action_plans.set_status(third, ActionStatus.DONE, admin)
    client.force_login(admin)

    def order(sort):
        page = client.get(plan_url(diagnostic) + (f"?tri={sort}" if sort else "")).content.decode()
        return sorted((first, second, third), key=lambda a: page.index(f'id="action-{a.pk}"'))

    assert order("") == [first, second, third]
    assert order("echeance") == [second, first, third]
    assert order("etat") == [second, first, third]
    assert order("n-importe-quoi") == [first, second, third]


def test_plan_page_query_count_does_not_grow_with_actions(client, admin, plan, diagnostic):
    client.force_login(admin)

    def visit():
        assert client.get(plan_url(diagnostic)).status_code == 200

    visit()
    few = count_queries(visit)
    for index in range(15):
        action = action_plans.add_action(plan, admin, title=f"Action {index}", dimension="gpec", owner="Chloé")
        action_plans.set_status(action, ActionStatus.IN_PROGRESS, admin)
    action_plans.agree(plan, "Alice", "Bruno", timezone.localdate(), admin)
    assert count_queries(visit) == few

    def swap():
        client.post(reverse("diagnostics:action_status", args=[action.pk]), {"status": "done"}, **HTMX)

    assert count_queries(swap) <= few + 8


# --- The structure page's card -------------------------------------------------------------------------------


def structure_page(client, structure):
    return client.get(reverse("structures:detail", args=[structure.pk])).content.decode()


def test_card_without_diagnostic_links_to_the_questionnaires(client, structure, admin):
    client.force_login(admin)
    page = structure_page(client, structure)
    assert "Diagnostic RH</h2>" in page and "Aucun diagnostic RH envoyé" in page
    assert reverse("responses:structure", args=[structure.pk]) in page


def test_card_with_a_diagnostic_and_an_overdue_action(client, structure, admin, coordinator, plan, diagnostic):
    late = plan.actions.first()
    due = timezone.localdate() - datetime.timedelta(days=10)
    action_plans.update_action(late, admin, due_date=due, owner="Chloé Roux")
    action_plans.set_status(plan.actions.exclude(pk=late.pk).first(), ActionStatus.DONE, admin)
    for user in (admin, coordinator):
        client.force_login(user)
        page = structure_page(client, structure)
        assert f"Dernier diagnostic envoyé le <strong>{_french_date(timezone.localdate())}</strong>" in page
        assert reverse("diagnostics:restitution", args=[diagnostic.pk]) in page
        assert reverse("diagnostics:action_plan", args=[diagnostic.pk]) in page
        assert "1 action en retard" in page
        assert f"{late.title}</a> — échéance le {_french_date(due)}, Chloé Roux" in page
        assert "Pas encore validé" in page


def test_card_with_a_diagnostic_but_no_plan(client, structure, admin, diagnostic):
    client.force_login(admin)
    page = structure_page(client, structure)
    assert "Pas encore de plan d'action" in page and "Construire le plan d'action" in page


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_card_is_not_shown_to_other_roles(client, structure, plan, role):
    # Those roles do not see the structure page at all; the card follows can_view_action_plan anyway.
    client.force_login(user_with_role(role))
    response = client.get(reverse("structures:detail", args=[structure.pk]))
    assert response.status_code == NOT_FOUND


def test_structure_page_query_count_stays_constant_with_the_card(client, structure, admin, plan, diagnostic):
    client.force_login(admin)
    url = reverse("structures:detail", args=[structure.pk])

    def visit():
        assert client.get(url).status_code == 200

    visit()
    few = count_queries(visit)
    past = timezone.localdate() - datetime.timedelta(days=5)
    for index in range(12):
        action = action_plans.add_action(plan, admin, title=f"Action {index}", due_date=past, owner="Chloé")
        if index % 2:
            action_plans.set_status(action, ActionStatus.IN_PROGRESS, admin)
    action_plans.agree(plan, "Alice", "Bruno", timezone.localdate(), admin)
    submitted_diagnostic(structure, admin, levels=LEVELS)  # an older diagnostic does not add queries either
    draft_diagnostic(structure, admin)
    visit()
    # The overdue actions' list query appears once there are some; no more as they grow.
    with_overdue = count_queries(visit)
    assert with_overdue <= few + 1
    for index in range(10):
        action_plans.add_action(plan, admin, title=f"Encore {index}", due_date=past)
    assert count_queries(visit) == with_overdue


def test_every_row_has_a_labelled_status_control(client, admin, plan, diagnostic):
    client.force_login(admin)
    page = client.get(plan_url(diagnostic)).content.decode()
    for action in Action.objects.filter(plan=plan):
        assert f'<label class="form-label small mb-1" for="status-{action.pk}">' in page
        assert f'id="status-submit-{action.pk}"' in page
