"""Action plans: what a structure decides to do after its HR diagnostic, and every change made to it.

A plan belongs to one submitted diagnostic (a questionnaire response). It starts from proposed actions — one per
weak theme of the diagnostic, worded from the *frozen* content of the response's version, never from the
definitions folder — that the structure then edits, completes, follows (à faire → en cours → fait, or abandonné)
and has agreed by its direction and a staff representative.

Every write runs in a transaction and leaves a row in the structure's history (who, when, what: field-level
before/after under the French labels people read). Nothing is deleted: an action the structure gives up is
marked "abandonné", which keeps it, its owner and its history visible and lets anyone take it up again.

"Modifié depuis la validation": an action changed after the last agreement was recorded
(`ActionPlan.agreement_recorded_at`) means the plan people agreed on is no longer the plan on screen.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from horizon.organisations.enums import ChangeAction
from horizon.organisations.services import record_change
from horizon.questionnaires.enums import ResponseStatus
from horizon.questionnaires.models import Response

from .enums import DIAGNOSTIC_CODE, ActionStatus
from .models import Action, ActionPlan

MAX_PROPOSED = 6
WEAK_LEVEL = 1  # a theme at this level or below is weak, whatever the "besoin d'accompagnement" flag says
TITLE_MAX = 100
OTHER_THEME_LABEL = "Autre"

# The fields people change: of an action (edit form), of the agreement. The history names them by verbose_name.
ACTION_FIELDS = ("title", "description", "owner", "due_date", "dimension", "status")
AGREEMENT_FIELDS = ("direction_name", "staff_representative_name", "agreed_on")


class ActionPlanError(Exception):
    """A write the plan's state does not allow; the message is in French and meant for the person."""


# --- Reading the frozen content ------------------------------------------------------------------------------


def theme_labels(content):
    """{dimension code: label} of a version's content, in the definition's order."""
    return {dimension["code"]: dimension.get("label", dimension["code"]) for dimension in content.get("dimensions", [])}


def theme_label(labels, code):
    """The label people read for an action's theme (`labels`: see theme_labels): "Autre" for none."""
    if not code:
        return OTHER_THEME_LABEL
    return labels.get(code, code)


# --- Proposed actions (pure) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedAction:
    dimension: str
    level: int | None
    need_support: bool
    title: str
    description: str


_IMPERATIVE = r"(?:\w+ez|faites|dites)(?:-(?:le|la|les|en|y|vous|nous|leur))?\b"
_NOT_VERBS = {"chez", "assez"}
# Where a second instruction starts: ", ouvrez…", " et prenez…", ", puis faites…".
_NEXT_INSTRUCTION = re.compile(r"(?:,\s*(?:et\s+|puis\s+)?|\s+et\s+|\s+puis\s+)(?=" + _IMPERATIVE + ")", re.IGNORECASE)
_AN_INSTRUCTION = re.compile(r"\b" + _IMPERATIVE, re.IGNORECASE)


def _gives_an_instruction(text):
    return any(match.group(0).split("-")[0].lower() not in _NOT_VERBS for match in _AN_INSTRUCTION.finditer(text))


def action_title(next_step, limit=TITLE_MAX):
    """A short, concrete title from a level's `next_step`: its first instruction, without asides.

    "Identifiez votre OPCO (il dépend…), ouvrez votre espace adhérent et prenez rendez-vous…" gives
    "Identifiez votre OPCO". The whole text stays the action's description.
    """
    text = re.sub(r"\s*\([^()]*\)", "", " ".join(str(next_step or "").split()))
    end = len(text)
    for separator in (". ", " : ", " ; ", " — "):
        found = text.find(separator)
        if found != -1:
            end = min(end, found)
    title = text[:end].rstrip(" .,;:")
    for match in _NEXT_INSTRUCTION.finditer(title):
        following = title[match.end() :].split(maxsplit=1)[0].split("-")[0].lower()
        if following not in _NOT_VERBS and match.start() >= 15 and _gives_an_instruction(title[: match.start()]):
            title = title[: match.start()]
            break
    # "Listez les savoir-faire indispensables et, pour chacun, …": keep the main clause.
    main = re.split(r"\s+et,\s", title, maxsplit=1)[0]
    if len(main) >= 15:
        title = main
    if len(title) > limit:
        comma = title.rfind(", ", 0, limit)
        if comma >= 40 and _gives_an_instruction(title[:comma]):
            title = title[:comma]
        else:
            title = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return title


def _is_weak(result):
    level = getattr(result, "level", None)
    return bool(getattr(result, "need_support", False)) or (level is not None and level <= WEAK_LEVEL)


def _level_content(dimension, level):
    """The `levels_content` entry for `level`; for a theme with no known level, the lowest one (start there)."""
    entries = sorted(dimension.get("levels_content") or [], key=lambda entry: entry.get("level", 0))
    if not entries:
        return {}
    if level is None:
        return entries[0]
    return next((entry for entry in entries if entry.get("level") == level), entries[0])


def proposed_actions(content, results, limit=MAX_PROPOSED):
    """The actions to propose for a diagnostic: one per weak theme, the lowest levels first, at most `limit`.

    `content` is the frozen definition of the response's version; `results` are its DimensionResult rows (or
    anything with `dimension`, `level` and `need_support`). A theme is weak when it needs support or sits at
    level 1 or below; ties keep the definition's order, and themes with no known level come after the scored
    ones. Each action's title is the first instruction of the level's next step, its description the whole step.
    """
    by_code = {result.dimension: result for result in results}
    order = {dimension["code"]: index for index, dimension in enumerate(content.get("dimensions", []))}
    weak = [
        (dimension, by_code[dimension["code"]])
        for dimension in content.get("dimensions", [])
        if dimension["code"] in by_code and _is_weak(by_code[dimension["code"]])
    ]
    weak.sort(
        key=lambda pair: (
            pair[1].level is None,
            pair[1].level if pair[1].level is not None else 0,
            not pair[1].need_support,
            order[pair[0]["code"]],
        )
    )
    proposals = []
    for dimension, result in weak[:limit]:
        entry = _level_content(dimension, result.level)
        next_step = " ".join(str(entry.get("next_step", "")).split())
        title = action_title(next_step) or f"Progresser sur « {dimension.get('label', dimension['code'])} »"
        proposals.append(ProposedAction(dimension["code"], result.level, bool(result.need_support), title, next_step))
    return proposals


# --- Reading plans -------------------------------------------------------------------------------------------


def is_diagnostic(response):
    return response.version.code == DIAGNOSTIC_CODE and response.structure_id is not None


def _changed_after_agreement(plan, last_change):
    return plan.is_agreed and last_change is not None and last_change > plan.agreement_recorded_at


def changed_since_agreement(plan, actions=None):
    """Whether an action changed after the last agreement was recorded (False for a plan never agreed).

    `actions`: the plan's actions when already loaded (no query); otherwise one aggregate query.
    """
    if not plan.is_agreed:
        return False
    if actions is not None:
        last_change = max((action.updated_at for action in actions), default=None)
    else:
        last_change = plan.actions.aggregate(last_change=Max("updated_at"))["last_change"]
    return _changed_after_agreement(plan, last_change)


@dataclass(frozen=True)
class PlanSummary:
    """Where a plan stands: counts by status, its overdue actions (open, due before today), whether it changed
    since its agreement."""

    counts: dict
    overdue: list  # the overdue actions (the first few only in summary_of), earliest due date first
    overdue_count: int
    total: int
    changed_since_agreement: bool = False

    @property
    def more_overdue(self):
        """How many overdue actions `overdue` leaves out."""
        return self.overdue_count - len(self.overdue)

    @property
    def open(self):
        return self.counts.get(ActionStatus.TODO, 0) + self.counts.get(ActionStatus.IN_PROGRESS, 0)

    def by_status(self):
        """[(status value, label, count)] in the workflow's order."""
        return [(status.value, status.label, self.counts.get(status, 0)) for status in ActionStatus]


def summarise(plan, actions, today):
    """The summary of a plan whose actions are already loaded (no query)."""
    counts = dict.fromkeys(ActionStatus, 0)
    for action in actions:
        counts[ActionStatus(action.status)] += 1
    overdue = sorted((a for a in actions if a.is_overdue(today)), key=lambda a: (a.due_date, a.position, a.pk))
    return PlanSummary(
        counts=counts,
        overdue=overdue,
        overdue_count=len(overdue),
        total=len(actions),
        changed_since_agreement=changed_since_agreement(plan, actions),
    )


def summary_of(plan, today, overdue_limit=5):
    """The summary of a plan in two queries whatever its size: the counts, then the first overdue actions."""
    totals = plan.actions.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in ActionStatus},
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=ActionStatus.open_values(), due_date__lt=today)),
        last_change=Max("updated_at"),
    )
    overdue = []
    if totals["overdue"]:
        overdue = list(plan.actions.overdue(today).order_by("due_date", "position", "pk")[:overdue_limit])
    return PlanSummary(
        counts={status: totals[status.value] for status in ActionStatus},
        overdue=overdue,
        overdue_count=totals["overdue"],
        total=totals["total"],
        changed_since_agreement=_changed_after_agreement(plan, totals["last_change"]),
    )


@dataclass(frozen=True)
class DiagnosticOverview:
    """A structure's HR diagnostic at a glance: its latest submitted diagnostic and that diagnostic's plan, and
    a diagnostic in progress if there is one."""

    diagnostic: Response | None
    draft: Response | None
    plan: ActionPlan | None
    summary: PlanSummary | None


def structure_overview(structure, today, overdue_limit=5):
    """The overview of the structure page's "Diagnostic RH" card, in at most three queries."""
    responses = list(
        Response.objects.of(DIAGNOSTIC_CODE)
        .filter(structure=structure)
        .filter(Q(is_latest=True) | Q(status=ResponseStatus.DRAFT))
        .select_related("action_plan__agreement_recorded_by")
        .order_by("-created_at", "-pk")
    )
    diagnostic = next((response for response in responses if response.is_latest), None)
    draft = next((response for response in responses if response.is_draft), None)
    plan = getattr(diagnostic, "action_plan", None) if diagnostic else None
    summary = summary_of(plan, today, overdue_limit) if plan else None
    return DiagnosticOverview(diagnostic=diagnostic, draft=draft, plan=plan, summary=summary)


# --- Writes --------------------------------------------------------------------------------------------------


def _date(value):
    return f"{value:%d/%m/%Y}" if value else ""


def _readable(name, value, labels=None):
    """A field's value as people read it in the history: status label, theme label, French date."""
    if value is None:
        return ""
    if name == "status":
        return str(ActionStatus(value).label)
    if name == "dimension":
        return theme_label(labels or {}, value)
    if name in ("due_date", "agreed_on"):
        return _date(value)
    return str(value)


def _changes(model, before, after, labels=None):
    """{French field label: [before, after]} for the fields whose value changed (`before`, `after`: dicts)."""
    return {
        str(model._meta.get_field(name).verbose_name): [
            _readable(name, before[name], labels),
            _readable(name, after[name], labels),
        ]
        for name in after
        if before[name] != after[name]
    }


def _quoted(title, limit=120):
    title = " ".join(title.split())
    return f"« {title if len(title) <= limit else title[: limit - 1] + '…'} »"


def _diagnostic_date(response):
    return _date(timezone.localtime(response.submitted_at).date()) if response.submitted_at else ""


def _clean_action(plan, values):
    """Check and normalise an action's fields; raises ValidationError {field: French message}."""
    errors = {}
    cleaned = dict(values)
    for name in ("title", "description", "owner"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = "Dites en quelques mots ce qu'il faut faire."
    if "dimension" in cleaned:
        cleaned["dimension"] = cleaned["dimension"] or ""
        if cleaned["dimension"] and cleaned["dimension"] not in theme_labels(plan.response.version.content):
            errors["dimension"] = "Choisissez un des thèmes du diagnostic, ou « Autre »."
    if "status" in cleaned and cleaned["status"] not in ActionStatus.values:
        errors["status"] = "Choisissez un état de la liste."
    for name, limit in (("title", 255), ("owner", 150)):
        if len(cleaned.get(name) or "") > limit:
            errors[name] = f"{limit} caractères au plus."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_plan(response, user):
    """The plan of a submitted diagnostic, with its proposed actions; one plan per diagnostic."""
    response = (
        Response.objects.select_for_update(of=("self",)).select_related("version", "structure").get(pk=response.pk)
    )
    if not is_diagnostic(response):
        raise ActionPlanError("Un plan d'action se construit à partir d'un diagnostic RH.")
    if response.is_draft:
        raise ActionPlanError(
            "Ce diagnostic n'est pas encore envoyé : envoyez-le pour construire le plan d'action à partir de ses "
            "résultats."
        )
    if ActionPlan.objects.filter(response=response).exists():
        raise ActionPlanError("Ce diagnostic a déjà son plan d'action : vous pouvez le compléter.")
    plan = ActionPlan.objects.create(response=response, structure=response.structure, created_by=user)
    proposals = proposed_actions(response.version.content, list(response.results.all()))
    Action.objects.bulk_create(
        Action(
            plan=plan,
            dimension=proposal.dimension,
            title=proposal.title[:255],
            description=proposal.description,
            position=index,
            updated_by=user,
        )
        for index, proposal in enumerate(proposals, start=1)
    )
    count = len(proposals)
    record_change(
        response.structure,
        user,
        ChangeAction.ACTION_PLAN_CHANGED,
        note=f"Création du plan à partir du diagnostic RH du {_diagnostic_date(response)} "
        f"({count} action{'s' if count > 1 else ''} proposée{'s' if count > 1 else ''})",
    )
    return plan


@transaction.atomic
def add_action(plan, user, *, title, description="", owner="", due_date=None, dimension="", status=None):
    """A new action at the end of the plan (theme "" for "Autre")."""
    plan = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("structure", "response__version")
        .get(pk=plan.pk)
    )
    values = _clean_action(
        plan,
        {
            "title": title,
            "description": description,
            "owner": owner,
            "due_date": due_date,
            "dimension": dimension,
            "status": status or ActionStatus.TODO,
        },
    )
    position = (plan.actions.aggregate(last=Max("position"))["last"] or 0) + 1
    action = Action.objects.create(plan=plan, position=position, updated_by=user, **values)
    empty = dict.fromkeys(values)
    filled = {name: value for name, value in values.items() if value not in ("", None)}
    changes = _changes(Action, empty, filled, theme_labels(plan.response.version.content))
    record_change(
        plan.structure,
        user,
        ChangeAction.ACTION_PLAN_CHANGED,
        changes,
        note=f"Action ajoutée : {_quoted(action.title)}",
    )
    return action


def _locked_action(action):
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("plan__structure", "plan__response__version")
        .get(pk=action.pk)
    )


@transaction.atomic
def update_action(action, user, **values):
    """Change an action's title, description, owner, due date, theme or status.

    Returns (action, changes); a form sent back unchanged writes nothing and records nothing.
    """
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown action fields: {', '.join(sorted(unknown))}")
    action = _locked_action(action)
    plan = action.plan
    values = _clean_action(plan, values)
    before = {name: getattr(action, name) for name in values}
    changes = _changes(Action, before, values, theme_labels(plan.response.version.content))
    if not changes:
        return action, {}
    for name, value in values.items():
        setattr(action, name, value)
    action.updated_by = user
    action.save()
    record_change(
        plan.structure,
        user,
        ChangeAction.ACTION_PLAN_CHANGED,
        changes,
        note=f"Action modifiée : {_quoted(action.title)}",
    )
    return action, changes


@transaction.atomic
def set_status(action, status, user):
    """Move an action to another status (à faire, en cours, fait, abandonné). Returns (action, changes)."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choisissez un état de la liste."})
    action = _locked_action(action)
    if action.status == status:
        return action, {}
    changes = _changes(Action, {"status": action.status}, {"status": status})
    action.status = status
    action.updated_by = user
    action.save(update_fields=["status", "updated_by", "updated_at"])
    record_change(
        action.plan.structure,
        user,
        ChangeAction.ACTION_PLAN_CHANGED,
        changes,
        note=f"Action {_quoted(action.title)} passée à « {ActionStatus(status).label} »",
    )
    return action, changes


@transaction.atomic
def agree(plan, direction_name, staff_representative_name, agreed_on, user, today=None):
    """Record that the direction and a staff representative agreed on the plan, on `agreed_on`.

    Recording it again (after changes, or to correct a name or the date) is allowed and kept in the history.
    """
    today = today or timezone.localdate()
    names = {
        "direction_name": " ".join((direction_name or "").split()),
        "staff_representative_name": " ".join((staff_representative_name or "").split()),
    }
    plan = ActionPlan.objects.select_for_update(of=("self",)).select_related("response", "structure").get(pk=plan.pk)
    errors = {}
    if not names["direction_name"]:
        errors["direction_name"] = "Indiquez le nom de la personne qui a validé le plan pour la direction."
    if not names["staff_representative_name"]:
        errors["staff_representative_name"] = "Indiquez le nom de la personne qui a validé le plan pour les salarié·es."
    for name, value in names.items():
        if len(value) > 150:
            errors[name] = "150 caractères au plus."
    submitted_on = timezone.localtime(plan.response.submitted_at).date() if plan.response.submitted_at else None
    if agreed_on is None:
        errors["agreed_on"] = "Indiquez la date de la validation."
    elif agreed_on > today:
        errors["agreed_on"] = "La date de validation ne peut pas être dans le futur."
    elif submitted_on and agreed_on < submitted_on:
        errors["agreed_on"] = f"La validation ne peut pas précéder le diagnostic, envoyé le {_date(submitted_on)}."
    if errors:
        raise ValidationError(errors)
    again = plan.is_agreed
    after = {**names, "agreed_on": agreed_on}
    changes = _changes(ActionPlan, {name: getattr(plan, name) for name in AGREEMENT_FIELDS}, after)
    for name, value in after.items():
        setattr(plan, name, value)
    plan.agreement_recorded_by = user
    plan.agreement_recorded_at = timezone.now()
    plan.save()
    record_change(
        plan.structure,
        user,
        ChangeAction.ACTION_PLAN_AGREED,
        changes,
        note=f"{'Nouvelle validation, le' if again else 'Le'} {_date(agreed_on)}, par {names['direction_name']} "
        f"(direction) et {names['staff_representative_name']} (salarié·es)",
    )
    return plan
