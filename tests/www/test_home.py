"""An employer's home page says where each structure's HR diagnostic and action plan stand."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from horizon.diagnostics import action_plans
from tests.factories.diagnostics import draft_diagnostic, submitted_diagnostic
from tests.queries import count_queries


def home(client, user):
    client.force_login(user)
    return client.get(reverse("www:home")).content.decode()


def test_before_any_diagnostic_the_employer_is_invited_to_take_it(client, structure, admin):
    html = home(client, admin)
    assert "Faire le diagnostic RH" in html
    assert "Restitution" not in html


def test_a_diagnostic_in_progress_is_resumed_from_home(client, structure, admin):
    draft = draft_diagnostic(structure, admin)
    html = home(client, admin)
    assert reverse("responses:detail", args=[draft.pk]) in html
    assert "Reprendre le diagnostic RH" in html and "Faire le diagnostic RH" not in html


def test_the_latest_restitution_and_the_late_actions_are_on_home(client, structure, admin):
    diagnostic = submitted_diagnostic(structure, admin, levels={"gpec": 0, "dialogue_social": 1}, default=3)
    html = home(client, admin)
    assert reverse("diagnostics:restitution", args=[diagnostic.pk]) in html
    assert "à construire à partir de la restitution" in html and "Refaire le diagnostic RH" in html

    plan = action_plans.create_plan(diagnostic, admin)
    late = plan.actions.first()
    action_plans.update_action(late, admin, due_date=timezone.localdate() - timedelta(days=3))
    html = home(client, admin)
    actions = plan.actions.count()
    assert f"{actions} action{'s' if actions > 1 else ''} à faire ou en cours" in html
    assert "dont 1 en retard" in html


def test_home_queries_do_not_grow_with_the_plan(client, structure, admin):
    diagnostic = submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=3)
    plan = action_plans.create_plan(diagnostic, admin)
    action_plans.add_action(plan, admin, title="Déjà en retard", due_date=timezone.localdate() - timedelta(1))
    client.force_login(admin)
    few = count_queries(lambda: client.get(reverse("www:home")))
    for number in range(5):
        action_plans.add_action(plan, admin, title=f"Action {number}", due_date=timezone.localdate() - timedelta(1))
    assert count_queries(lambda: client.get(reverse("www:home"))) == few


def test_only_the_structures_admins_are_offered_to_edit_it_and_invite_colleagues(client, structure, admin, member):
    edit, members = reverse("structures:edit", args=[structure.pk]), reverse("structures:members", args=[structure.pk])
    html = home(client, admin)
    assert edit in html and members in html

    # A plain member would be refused both pages: no link leads there.
    html = home(client, member)
    assert reverse("structures:detail", args=[structure.pk]) in html
    assert edit not in html and members not in html
    assert client.get(edit).status_code == 403
