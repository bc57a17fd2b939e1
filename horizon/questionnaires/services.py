"""The life of questionnaires and responses: publish a version, start, save as you go, submit, reopen.

Every write goes through here, in a transaction, with the response row locked: two colleagues saving at once
are serialised, and a save made from a page that missed a colleague's change to the same question is refused
with the current value (ConflictError) instead of overwriting it.
"""

from django.db import transaction
from django.utils import timezone

from . import scoring, signals
from .answers import InvalidAnswer, clean_answer
from .definition import content_hash, questions, validate
from .enums import ResponseEventKind, ResponseStatus
from .models import DimensionResult, QuestionnaireVersion, Response, ResponseEvent


class DefinitionInvalid(Exception):
    def __init__(self, errors):
        super().__init__("La définition contient des erreurs : " + " ; ".join(errors))
        self.errors = errors


class NotEditable(Exception):
    """The response cannot be changed in its current state; the message is in French."""


class ConflictError(Exception):
    """Some answers were changed by someone else since the page was loaded: {name: {"value", "user_id"}}."""

    def __init__(self, conflicts, revision):
        super().__init__("Une autre personne a modifié ces réponses entre-temps : " + ", ".join(conflicts))
        self.conflicts = conflicts
        self.revision = revision


@transaction.atomic
def publish(definition, user=None):
    """(version, created): a new frozen version when the content changed, else the existing one."""
    errors = validate(definition)
    if errors:
        raise DefinitionInvalid(errors)
    digest = content_hash(definition)
    code = definition["code"]
    existing = QuestionnaireVersion.objects.filter(code=code, content_hash=digest).first()
    if existing:
        return existing, False
    latest = QuestionnaireVersion.objects.select_for_update().filter(code=code).order_by("-number").first()
    version = QuestionnaireVersion.objects.create(
        code=code,
        number=latest.number + 1 if latest else 1,
        title=definition["title"],
        content=definition,
        content_hash=digest,
        published_by=user,
    )
    return version, True


@transaction.atomic
def start(version, structure, user, variant=""):
    response = Response.objects.create(version=version, structure=structure, variant=variant)
    ResponseEvent.objects.create(response=response, kind=ResponseEventKind.STARTED, user=user)
    return response


def locked_draft(response):
    """The response, locked for this transaction; NotEditable when it is no longer a draft."""
    response = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
    if not response.is_draft:
        raise NotEditable("Ce questionnaire a été envoyé : il n'est plus modifiable.")
    return response


@transaction.atomic
def save_answers(response, raw_answers, seen_revision, user):
    """Clean and store answers ({name: raw}); returns (response, {name: French error}) for the refused ones.

    Valid answers are stored even when others are not (each autosaved field stands alone). Raises
    ConflictError, storing nothing, when a question was changed after `seen_revision` to another value.
    """
    response = locked_draft(response)
    by_name = {question["name"]: question for question in questions(response.version.content)}
    cleaned, errors = {}, {}
    for name, raw in raw_answers.items():
        if name not in by_name:
            errors[name] = "Cette question n'existe pas dans ce questionnaire."
            continue
        try:
            cleaned[name] = clean_answer(by_name[name], raw)
        except InvalidAnswer as exc:
            errors[name] = str(exc)
    conflicts = {
        name: {"value": response.answers.get(name), "user_id": response.answer_authors.get(name)}
        for name, value in cleaned.items()
        if response.answer_revisions.get(name, 0) > seen_revision and response.answers.get(name) != value
    }
    if conflicts:
        raise ConflictError(conflicts, response.revision)
    changed = {name: value for name, value in cleaned.items() if response.answers.get(name) != value}
    if changed:
        response.revision += 1
        for name, value in changed.items():
            if value is None:
                response.answers.pop(name, None)
            else:
                response.answers[name] = value
            response.answer_revisions[name] = response.revision
            response.answer_authors[name] = user.pk if user else None
        response.save(update_fields=["answers", "answer_revisions", "answer_authors", "revision", "updated_at"])
    return response, errors


@transaction.atomic
def submit(response, user):
    """Score and freeze the response; returns {dimension: DimensionScore}."""
    response = locked_draft(response)
    results = scoring.score(response.version.content, response.answers, response.variant or None)
    DimensionResult.objects.filter(response=response).delete()
    DimensionResult.objects.bulk_create(dimension_results(response, results))
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.submitted_by = user
    response.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    ResponseEvent.objects.create(response=response, kind=ResponseEventKind.SUBMITTED, user=user)
    _mark_latest(response)
    response.refresh_from_db(fields=["is_latest"])
    signals.response_submitted.send(sender=Response, response=response, results=results)
    return results


def dimension_results(response, results):
    """The unsaved DimensionResult rows of a response's scores ({dimension: scoring.DimensionScore})."""
    return [
        DimensionResult(
            response=response,
            dimension=code,
            level=result.level,
            ratio=result.ratio,
            need_support=result.need_support,
            scored=result.scored,
            unknown=result.unknown,
            not_applicable=result.not_applicable,
        )
        for code, result in results.items()
    ]


def _mark_latest(response):
    """Make the structure's most recently submitted response to this questionnaire its latest one."""
    if response.structure_id is None:
        return
    siblings = Response.objects.of(response.version.code).filter(structure_id=response.structure_id)
    latest = siblings.submitted().order_by("-submitted_at", "-pk").values_list("pk", flat=True).first()
    siblings.filter(is_latest=True).exclude(pk=latest).update(is_latest=False)
    if latest is not None:
        siblings.filter(pk=latest).update(is_latest=True)


@transaction.atomic
def reopen(response, user, note):
    """Back to draft (a coordinator's decision, with its reason); the scores go until the next submission."""
    if not note.strip():
        raise NotEditable("Indiquez le motif de la réouverture.")
    response = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
    if response.is_draft:
        raise NotEditable("Ce questionnaire est déjà en brouillon.")
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
    response.submitted_by = None
    response.is_latest = False
    response.save(update_fields=["status", "submitted_at", "submitted_by", "is_latest", "updated_at"])
    response.results.all().delete()
    ResponseEvent.objects.create(response=response, kind=ResponseEventKind.REOPENED, user=user, note=note.strip()[:255])
    _mark_latest(response)
    signals.response_reopened.send(sender=Response, response=response)
    return response
