"""Action plans: the proposed actions (pure, table-tested), then creating, changing, following and agreeing a plan
through the domain services, with the structure's history and the French errors."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from horizon.diagnostics import action_plans
from horizon.diagnostics.action_plans import (
    ActionPlanError,
    action_title,
    proposed_actions,
    structure_overview,
    summarise,
    summary_of,
)
from horizon.diagnostics.enums import ActionStatus
from horizon.diagnostics.models import Action, ActionPlan
from horizon.organisations.enums import ChangeAction
from horizon.questionnaires import services as questionnaire_services
from tests.factories.diagnostics import draft_diagnostic, submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.queries import count_queries

TODAY = datetime.date(2025, 6, 15)


def dimension(code, label=None, steps=None):
    steps = steps or {}
    return {
        "code": code,
        "label": label or code.upper(),
        "levels_content": [
            {"level": level, "meaning": f"{code} {level}", "next_step": steps.get(level, f"Faites {code} {level}.")}
            for level in range(5)
        ],
    }


CONTENT = {"dimensions": [dimension(code) for code in "abcdefgh"]}


def result(code, level, need=False):
    return SimpleNamespace(dimension=code, level=level, need_support=need)


# --- Proposed actions (no database) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "results, expected",
    [
        # Nothing weak: nothing proposed.
        ([result("a", 2), result("b", 3), result("c", 4)], []),
        # Level 1 or below is weak even without the flag; lowest level first.
        ([result("a", 1), result("b", 0), result("c", 2)], [("b", 0), ("a", 1)]),
        # A flagged theme is weak at any level, after the lower levels.
        ([result("a", 3, need=True), result("b", 1)], [("b", 1), ("a", 3)]),
        # Ties keep the definition's order, flagged first.
        ([result("c", 1), result("a", 1), result("b", 1, need=True)], [("b", 1), ("a", 1), ("c", 1)]),
        # A theme with no known level that needs support comes after the scored ones.
        ([result("a", None, need=True), result("b", 2, need=True)], [("b", 2), ("a", None)]),
        # No known level and no need: not weak.
        ([result("a", None)], []),
        # At most six, the weakest kept.
        (
            [result(code, level) for code, level in zip("abcdefgh", [1, 0, 1, 0, 1, 0, 1, 0], strict=True)],
            [("b", 0), ("d", 0), ("f", 0), ("h", 0), ("a", 1), ("c", 1)],
        ),
        # A result for a theme the content does not know is ignored.
        ([result("zz", 0), result("a", 0)], [("a", 0)]),
    ],
)
def test_proposed_actions_choose_the_weak_themes(results, expected):
    proposals = proposed_actions(CONTENT, results)
    assert [(proposal.dimension, proposal.level) for proposal in proposals] == expected


def test_proposed_action_takes_the_level_s_next_step_as_description():
    content = {
        "dimensions": [
            dimension("a", steps={1: "Identifiez votre OPCO (Uniformation…), ouvrez votre espace adhérent."}),
            dimension("b", steps={0: "Réalisez votre DUERP : listez les situations de travail."}),
        ]
    }
    a, b = proposed_actions(content, [result("a", 1), result("b", None, need=True)])
    assert a.title == "Identifiez votre OPCO"
    assert a.description == "Identifiez votre OPCO (Uniformation…), ouvrez votre espace adhérent."
    # No known level: the lowest level's step (start from the beginning).
    assert b.title == "Réalisez votre DUERP"
    assert b.description.startswith("Réalisez votre DUERP : listez")


def test_proposed_actions_limit_can_be_chosen():
    results = [result(code, 0) for code in "abcdefgh"]
    assert len(proposed_actions(CONTENT, results)) == 6
    assert len(proposed_actions(CONTENT, results, limit=2)) == 2


@pytest.mark.parametrize(
    "next_step, title",
    [
        ("Réalisez votre DUERP : listez les situations de travail.", "Réalisez votre DUERP"),
        (
            "Identifiez votre OPCO (il dépend de votre convention), ouvrez votre espace adhérent.",
            "Identifiez votre OPCO",
        ),
        (
            "Faites la liste de tous les postes et complétez les fiches manquantes ; ajoutez un organigramme.",
            "Faites la liste de tous les postes",
        ),
        (
            "Listez les savoir-faire indispensables à vos activités et, pour chacun, qui les maîtrise ; repérez…",
            "Listez les savoir-faire indispensables à vos activités",
        ),
        # "celles et ceux", "femmes et hommes": an "et" that does not start an instruction is kept.
        (
            "Donnez des repères communs à celles et ceux qui encadrent et prévoyez un entretien annuel.",
            "Donnez des repères communs à celles et ceux qui encadrent",
        ),
        (
            "Vérifiez chaque année les écarts de salaire entre femmes et hommes à poste égal, préparez la suite.",
            "Vérifiez chaque année les écarts de salaire entre femmes et hommes à poste égal",
        ),
        # A first clause without an instruction is not a title: cut at a word, with an ellipsis.
        (
            "Une fois par an, au moment du budget, faites la liste des départs prévisibles et des compétences dont "
            "les nouveaux projets auront besoin.",
            "Une fois par an, au moment du budget, faites la liste des départs prévisibles et des compétences…",
        ),
        ("Consultez l'équipe.", "Consultez l'équipe"),
        ("", ""),
    ],
)
def test_action_title_is_the_first_instruction(next_step, title):
    assert action_title(next_step) == title
    assert len(action_title(next_step)) <= 100


def test_every_weak_level_of_the_real_diagnostic_gives_a_short_title():
    from horizon.questionnaires import catalogue

    content = catalogue.load_definition("diagnostic-rh")
    for dim in content["dimensions"]:
        for entry in dim["levels_content"]:
            title = action_title(entry["next_step"])
            assert 15 <= len(title) <= 100, (dim["code"], entry["level"], title)
            assert not title.endswith((" et", " ou", ","))


def action(status=ActionStatus.TODO, due=None, position=0, pk=None):
    return Action(status=status, due_date=due, position=position, pk=pk)


@pytest.mark.parametrize(
    "status, due, overdue",
    [
        (ActionStatus.TODO, TODAY - datetime.timedelta(days=1), True),
        (ActionStatus.IN_PROGRESS, TODAY - datetime.timedelta(days=30), True),
        (ActionStatus.TODO, TODAY, False),  # due today is not late yet
        (ActionStatus.TODO, None, False),
        (ActionStatus.DONE, TODAY - datetime.timedelta(days=1), False),
        (ActionStatus.ABANDONED, TODAY - datetime.timedelta(days=1), False),
    ],
)
def test_overdue_means_open_and_past_due(status, due, overdue):
    assert action(status, due).is_overdue(TODAY) is overdue


def test_summarise_counts_by_status_and_lists_the_overdue_earliest_first():
    plan = ActionPlan(agreed_on=None)
    late = action(ActionStatus.IN_PROGRESS, TODAY - datetime.timedelta(days=2), pk=1)
    later = action(ActionStatus.TODO, TODAY - datetime.timedelta(days=9), pk=2)
    actions = [late, later, action(ActionStatus.DONE, pk=3), action(ActionStatus.TODO, TODAY, pk=4)]
    summary = summarise(plan, actions, TODAY)
    assert summary.total == 4 and summary.open == 3
    assert [(value, count) for value, _, count in summary.by_status()] == [
        ("todo", 2),
        ("in_progress", 1),
        ("done", 1),
        ("abandoned", 0),
    ]
    assert summary.overdue == [later, late] and summary.overdue_count == 2
    assert summary.changed_since_agreement is False


# --- Services ------------------------------------------------------------------------------------------------


@pytest.fixture
def structure(db):
    return StructureFactory(headcount_band="02")


@pytest.fixture
def admin(structure):
    return employer(structure, first_name="Alice", last_name="Durand")


@pytest.fixture
def diagnostic(structure, admin):
    return submitted_diagnostic(
        structure,
        admin,
        levels={"gpec": 0, "dialogue_social": 1, "competences_formation": None},
        default=3,
        flagged=["management_fonction_rh"],
    )


@pytest.fixture
def plan(diagnostic, admin):
    return action_plans.create_plan(diagnostic, admin)


def history(structure, action=ChangeAction.ACTION_PLAN_CHANGED):
    return list(structure.changes.filter(action=action).order_by("created_at", "id"))


def test_create_plan_proposes_actions_from_the_frozen_content(diagnostic, admin, structure):
    # The wording comes from the response's version: a change to the definitions folder would not matter.
    content = diagnostic.version.content
    content_step = next(d for d in content["dimensions"] if d["code"] == "gpec")["levels_content"][0]["next_step"]
    plan = action_plans.create_plan(diagnostic, admin)
    actions = list(plan.actions.all())
    assert [a.dimension for a in actions][:2] == ["gpec", "dialogue_social"]
    assert {"competences_formation", "management_fonction_rh"} <= {a.dimension for a in actions}
    assert actions[0].description == " ".join(content_step.split())
    assert [a.position for a in actions] == list(range(1, len(actions) + 1))
    assert all(a.status == ActionStatus.TODO and a.updated_by == admin for a in actions)
    assert plan.created_by == admin and plan.structure == structure and not plan.is_agreed
    [change] = history(structure)
    assert change.user == admin
    assert (
        "Création du plan à partir du diagnostic RH du" in change.note
        and f"{len(actions)} actions proposées" in change.note
    )


def test_a_diagnostic_has_one_plan_only(plan, diagnostic, admin):
    with pytest.raises(ActionPlanError, match="déjà son plan d'action"):
        action_plans.create_plan(diagnostic, admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(response=diagnostic, structure=diagnostic.structure)


def test_no_plan_for_a_draft(structure, admin):
    draft = draft_diagnostic(structure, admin)
    with pytest.raises(ActionPlanError, match="pas encore envoyé"):
        action_plans.create_plan(draft, admin)
    assert not ActionPlan.objects.exists()


def test_no_plan_for_another_questionnaire(structure, admin):
    version, _ = questionnaire_services.publish(
        {
            "code": "satisfaction",
            "title": "Satisfaction",
            "sections": [{"title": "S", "questions": [{"name": "q", "type": "short_text", "label": "Q"}]}],
        }
    )
    response = questionnaire_services.start(version, structure, admin)
    questionnaire_services.submit(response, admin)
    with pytest.raises(ActionPlanError, match="diagnostic RH"):
        action_plans.create_plan(response, admin)


def test_a_strong_diagnostic_gives_an_empty_plan(structure, admin):
    response = submitted_diagnostic(structure, admin, default=4)
    plan = action_plans.create_plan(response, admin)
    assert plan.actions.count() == 0
    assert "0 action proposée" in history(structure)[0].note


def test_add_action_goes_last_and_is_recorded(plan, admin, structure):
    last = plan.actions.order_by("-position").first().position
    new = action_plans.add_action(
        plan,
        admin,
        title="  Former deux tutrices  ",
        owner="Camille",
        due_date=datetime.date(2025, 12, 31),
        dimension="competences_formation",
    )
    assert new.position == last + 1 and new.title == "Former deux tutrices" and new.status == ActionStatus.TODO
    change = history(structure)[-1]
    assert change.user == admin and change.note == "Action ajoutée : « Former deux tutrices »"
    assert change.changes["action"] == ["", "Former deux tutrices"]
    assert change.changes["échéance"] == ["", "31/12/2025"]
    assert change.changes["thème du diagnostic"] == ["", "Compétences et formation"]
    assert change.changes["état"] == ["", "À faire"]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "Ok", "dimension": "inconnue"}, "dimension"),
        ({"title": "Ok", "status": "perdu"}, "status"),
        ({"title": "x" * 256}, "title"),
    ],
)
def test_add_action_refuses_bad_values_in_french(plan, admin, values, field):
    count = plan.actions.count()
    with pytest.raises(ValidationError) as error:
        action_plans.add_action(plan, admin, **values)
    assert field in error.value.message_dict
    assert plan.actions.count() == count


def test_add_action_for_another_theme(plan, admin, structure):
    new = action_plans.add_action(plan, admin, title="Réunir l'équipe", dimension="")
    assert new.dimension == ""
    assert "thème du diagnostic" not in history(structure)[-1].changes


def test_update_action_records_each_changed_field(plan, admin, structure):
    target = plan.actions.get(dimension="gpec")
    before_title = target.title
    colleague = employer(structure, first_name="Bruno", last_name="Petit")
    updated, changes = action_plans.update_action(
        target,
        colleague,
        title="Cartographier les compétences",
        description=target.description,
        owner="Bruno",
        due_date=datetime.date(2025, 9, 30),
        dimension="gpec",
        status=ActionStatus.IN_PROGRESS,
    )
    assert changes == {
        "action": [before_title, "Cartographier les compétences"],
        "responsable": ["", "Bruno"],
        "échéance": ["", "30/09/2025"],
        "état": ["À faire", "En cours"],
    }
    updated.refresh_from_db()
    assert updated.updated_by == colleague and updated.owner == "Bruno"
    change = history(structure)[-1]
    assert change.user == colleague and change.changes == changes
    assert change.note == "Action modifiée : « Cartographier les compétences »"


def test_update_without_change_records_nothing(plan, admin, structure):
    target = plan.actions.first()
    count = len(history(structure))
    _, changes = action_plans.update_action(target, admin, title=target.title, owner="")
    assert changes == {}
    assert len(history(structure)) == count


def test_update_refuses_unknown_fields(plan, admin):
    with pytest.raises(TypeError):
        action_plans.update_action(plan.actions.first(), admin, plan_id=12)


def test_set_status_records_before_and_after(plan, admin, structure):
    target = plan.actions.first()
    updated, changes = action_plans.set_status(target, ActionStatus.DONE, admin)
    assert updated.status == ActionStatus.DONE and changes == {"état": ["À faire", "Fait"]}
    change = history(structure)[-1]
    assert change.note == f"Action « {target.title} » passée à « Fait »"
    # The same status again: nothing written.
    assert action_plans.set_status(updated, ActionStatus.DONE, admin)[1] == {}
    assert history(structure)[-1].pk == change.pk
    with pytest.raises(ValidationError):
        action_plans.set_status(updated, "deleted", admin)


def test_abandoning_keeps_the_action(plan, admin):
    target = plan.actions.first()
    action_plans.set_status(target, ActionStatus.ABANDONED, admin)
    assert plan.actions.filter(pk=target.pk, status=ActionStatus.ABANDONED).exists()
    action_plans.set_status(target, ActionStatus.TODO, admin)  # taken up again
    assert plan.actions.get(pk=target.pk).status == ActionStatus.TODO


def test_agree_records_names_date_and_who(plan, admin, structure):
    today = timezone.localdate()
    agreed = action_plans.agree(plan, " Alice  Durand ", "Bruno Petit", today, admin)
    assert agreed.is_agreed and agreed.direction_name == "Alice Durand"
    assert agreed.agreement_recorded_by == admin
    [change] = history(structure, ChangeAction.ACTION_PLAN_AGREED)
    assert change.user == admin
    assert change.changes == {
        "pour la direction": ["", "Alice Durand"],
        "pour les salarié·es": ["", "Bruno Petit"],
        "validé le": ["", f"{today:%d/%m/%Y}"],
    }
    assert change.note == f"Le {today:%d/%m/%Y}, par Alice Durand (direction) et Bruno Petit (salarié·es)"


@pytest.mark.parametrize(
    "direction, staff, delta, field, message",
    [
        ("", "Bruno", 0, "direction_name", "pour la direction"),
        ("Alice", "  ", 0, "staff_representative_name", "pour les salarié·es"),
        ("Alice", "Bruno", 1, "agreed_on", "dans le futur"),
        ("Alice", "Bruno", None, "agreed_on", "Indiquez la date"),
        ("Alice", "Bruno", -400, "agreed_on", "précéder le diagnostic"),
    ],
)
def test_agree_refuses_missing_names_and_bad_dates(plan, admin, direction, staff, delta, field, message):
    agreed_on = None if delta is None else timezone.localdate() + datetime.timedelta(days=delta)
    with pytest.raises(ValidationError) as error:
        action_plans.agree(plan, direction, staff, agreed_on, admin)
    assert message in error.value.message_dict[field][0]
    plan.refresh_from_db()
    assert not plan.is_agreed


def test_changes_after_the_agreement_are_flagged_until_agreed_again(plan, admin, structure):
    today = timezone.localdate()
    action_plans.agree(plan, "Alice Durand", "Bruno Petit", today, admin)
    plan.refresh_from_db()
    assert not action_plans.changed_since_agreement(plan)
    assert not summary_of(plan, today).changed_since_agreement

    action_plans.set_status(plan.actions.first(), ActionStatus.IN_PROGRESS, admin)
    assert action_plans.changed_since_agreement(plan)
    assert summary_of(plan, today).changed_since_agreement
    assert summarise(plan, list(plan.actions.all()), today).changed_since_agreement

    again = action_plans.agree(plan, "Alice Durand", "Chloé Roux", today, admin)
    assert not action_plans.changed_since_agreement(again)
    agreements = history(structure, ChangeAction.ACTION_PLAN_AGREED)
    assert len(agreements) == 2
    assert agreements[1].changes == {"pour les salarié·es": ["Bruno Petit", "Chloé Roux"]}
    assert agreements[1].note.startswith("Nouvelle validation, le ")


def test_summary_of_counts_in_constant_queries(plan, admin):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=3)
    for target in plan.actions.all()[:2]:
        action_plans.update_action(target, admin, due_date=past, owner="Chloé")
    summary = summary_of(plan, today)
    assert summary.overdue_count == 2 and len(summary.overdue) == 2
    assert summary.counts[ActionStatus.TODO] == summary.total
    assert count_queries(lambda: summary_of(plan, today)) == 2
    limited = summary_of(plan, today, overdue_limit=1)
    assert len(limited.overdue) == 1 and limited.more_overdue == 1


def test_structure_overview(structure, admin, diagnostic):
    today = timezone.localdate()
    overview = structure_overview(structure, today)
    assert overview.diagnostic == diagnostic and overview.plan is None and overview.summary is None
    plan = action_plans.create_plan(diagnostic, admin)
    draft = draft_diagnostic(structure, admin)
    overview = structure_overview(structure, today)
    assert overview.plan == plan and overview.draft == draft and overview.summary.total == plan.actions.count()
    assert count_queries(lambda: structure_overview(structure, today)) == 2  # no overdue action: no list query
    assert structure_overview(StructureFactory(), today).diagnostic is None
