"""Demo HR diagnostics: submitted diagnostics (some taken twice, a year apart) with their action plans.

Deterministic like the rest of the demo (one `random.Random` per structure, seeded with the seed and its
number). Everything goes through the real services (submit, action plans), then the dates are moved back in
time so that the timeline, the evolution between two diagnostics and the overdue actions look lived in.

Besides a random share of the structures, every demo structure of the campaign's départements (rural Creuse)
took the diagnostic a few weeks ago, and those small rural employers share the same gaps (CAMPAIGN_WEAK). The
demo training offer has no session on those themes within 30 km of them, so the needs register shows *besoins
non couverts* there (Creuse × GPEC, Creuse × Parcours professionnels), next to needs the offer covers
(Creuse × Formation et compétences, Gironde…) and many below the threshold.
"""

import random
from datetime import timedelta

from django.utils import timezone

from horizon.diagnostics import action_plans
from horizon.diagnostics.enums import DIAGNOSTIC_CODE, ActionStatus
from horizon.diagnostics.models import Action, ActionPlan, Need
from horizon.diagnostics.samples import answers_for_levels
from horizon.organisations.enums import ChangeAction, StructureSource
from horizon.organisations.models import Structure, StructureChange
from horizon.questionnaires import catalogue, services
from horizon.questionnaires.models import Response, ResponseEvent

from . import data

DIAGNOSED_SHARE = 0.2  # of the demo structures
TWICE_SHARE = 0.35  # of the diagnosed ones
PLAN_SHARE = 0.5  # of the diagnosed ones, on their latest diagnostic
AGREED_SHARE = 0.6  # of the plans
# A diagnostic campaign the coordination ran with the employers of rural Creuse: all its demo structures took part
# (five at the default size, the needs register's threshold), once, a month or two ago; forward planning of jobs
# and skills and career paths are where such small employers stand lowest (level 0 or 1: a need).
CAMPAIGN_DEPARTEMENTS = ("23",)
CAMPAIGN_WEAK = ("gpec", "parcours_professionnels")
CAMPAIGN_DAYS_AGO = (35, 80)
# The demo employer's centre social, a year ago: organised, but little done yet on careers and skills planning.
EMPLOYER_FIRST_LEVELS = {
    "organisation_fiches_de_poste": 1,
    "recrutement_integration_apprentissage": 2,
    "competences_formation": 1,
    "parcours_professionnels": 0,
    "gpec": 0,
    "remuneration_temps_de_travail": 2,
    "sante_securite_qvct": 1,
    "dialogue_social": 2,
    "egalite_diversite_handicap": 1,
    "management_fonction_rh": 2,
    "benevoles_gouvernance": 3,
}


def _levels(rng, dimensions, lift=0):
    base = rng.choice([0, 1, 1, 2, 2, 3])
    return {
        code: None if rng.random() < 0.04 else min(max(base + lift + rng.choice([-1, 0, 0, 1]), 0), 4)
        for code in dimensions
    }


def _backdate(response, days):
    """Move a submitted response and what its submission wrote `days` back in time."""
    moment = timezone.now() - timedelta(days=days)
    Response.objects.filter(pk=response.pk).update(created_at=moment - timedelta(days=3), submitted_at=moment)
    ResponseEvent.objects.filter(response=response).update(created_at=moment)
    Need.objects.filter(response=response).update(created_at=moment)
    StructureChange.objects.filter(
        structure_id=response.structure_id, action=ChangeAction.DIAGNOSTIC_SUBMITTED, created_at__gte=moment
    ).update(created_at=moment)
    return moment


def _submit(version, structure, user, levels, flagged, days_ago):
    variant = catalogue.variant_for(version.content, structure)
    response = services.start(version, structure, user, variant=variant)
    response.answers = answers_for_levels(version.content, variant, levels, flagged=flagged)
    response.save(update_fields=["answers"])
    services.submit(response, user)
    _backdate(response, days_ago)
    return response


def _diagnose(version, structure, user, rng, twice, first_levels=None, campaign=False):
    """One or two submitted diagnostics for a structure (one, recent and weak on CAMPAIGN_WEAK, in the
    campaign); returns the latest."""
    dimensions = [dimension["code"] for dimension in version.content["dimensions"]]
    flagged = rng.sample(dimensions, rng.choice([0, 1, 2]))
    if campaign:
        levels = _levels(rng, dimensions) | {code: rng.choice([0, 1]) for code in CAMPAIGN_WEAK}
        return _submit(version, structure, user, levels, flagged, days_ago=rng.randint(*CAMPAIGN_DAYS_AGO))
    if twice:
        first = first_levels or _levels(rng, dimensions)
        _submit(version, structure, user, first, flagged, days_ago=rng.randint(330, 420))
        second = {
            code: None if level is None else min(level + rng.choice([0, 1, 1]), 4) for code, level in first.items()
        }
        return _submit(version, structure, user, second, flagged[:1], days_ago=rng.randint(20, 60))
    return _submit(version, structure, user, _levels(rng, dimensions), flagged, days_ago=rng.randint(10, 300))


def _person(rng):
    first = rng.choice(data.FEMALE_FIRST_NAMES + data.MALE_FIRST_NAMES)
    return f"{first} {rng.choice(data.LAST_NAMES)}"


def _plan(response, user, rng, agreed, overdue=False):
    """An action plan for a submitted diagnostic, lived in since its submission: owners, due dates, progress."""
    started = timezone.now()
    submitted = response.submitted_at
    plan = action_plans.create_plan(response, user)
    age = (timezone.now() - submitted).days
    people = [_person(rng) for _ in range(3)]
    for action in plan.actions.all():
        due = (submitted + timedelta(days=rng.randint(45, 240))).date()
        if due < timezone.localdate():
            status = rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.TODO])
        else:
            status = rng.choice([ActionStatus.TODO, ActionStatus.TODO, ActionStatus.IN_PROGRESS])
        if age > 300 and rng.random() < 0.1:
            status = ActionStatus.ABANDONED
        if overdue:  # one late action, so that the structure's page has something to remind
            due, status, overdue = timezone.localdate() - timedelta(days=12), ActionStatus.IN_PROGRESS, False
        action_plans.update_action(action, user, owner=rng.choice(people), due_date=due, status=status)
    # Date what is written here to the week after the diagnostic, the agreement to its own day.
    moment = min(submitted + timedelta(days=7), timezone.now())
    recorded = None
    if agreed:
        recorded = min(moment + timedelta(days=rng.randint(0, 14)), timezone.now())
        action_plans.agree(plan, _person(rng), _person(rng), timezone.localtime(recorded).date(), user)
    Action.objects.filter(plan=plan).update(created_at=moment, updated_at=moment)
    ActionPlan.objects.filter(pk=plan.pk).update(
        created_at=moment, updated_at=recorded or moment, agreement_recorded_at=recorded
    )
    StructureChange.objects.filter(structure_id=response.structure_id, created_at__gte=started).update(
        created_at=moment
    )
    return plan


def load_demo_diagnostics(employer_structure, employer_user, seed=data.SEED):
    """Diagnose a share of the demo structures (the employer's included) and those of the campaign unless it was
    done; returns the count."""
    if Response.objects.of(DIAGNOSTIC_CODE).filter(structure__source=StructureSource.DEMO).exists():
        return 0
    if catalogue.current_version(DIAGNOSTIC_CODE) is None:
        catalogue.publish_all()
    version = catalogue.current_version(DIAGNOSTIC_CODE)
    structures = list(Structure.objects.filter(source=StructureSource.DEMO).exclude(pk=employer_structure.pk))
    structures.sort(key=lambda structure: structure.pk)
    chosen = random.Random(seed).sample(structures, round(len(structures) * DIAGNOSED_SHARE))
    campaign = set(
        Structure.objects.filter(source=StructureSource.DEMO, commune__departement_id__in=CAMPAIGN_DEPARTEMENTS)
        .exclude(pk=employer_structure.pk)
        .values_list("pk", flat=True)
    )
    chosen += [structure for structure in structures if structure.pk in campaign and structure not in chosen]
    count = 0
    for structure in [employer_structure, *chosen]:
        rng = random.Random(f"{seed}-diagnostic-{structure.siret or structure.rna}")
        is_employer = structure.pk == employer_structure.pk
        user = employer_user if is_employer else None
        twice = is_employer or rng.random() < TWICE_SHARE
        latest = _diagnose(
            version,
            structure,
            user,
            rng,
            twice,
            EMPLOYER_FIRST_LEVELS if is_employer else None,
            campaign=structure.pk in campaign,
        )
        if is_employer or rng.random() < PLAN_SHARE:
            latest.refresh_from_db()
            _plan(latest, user, rng, agreed=is_employer or rng.random() < AGREED_SHARE, overdue=is_employer)
        count += 1
    return count
