"""The pages to answer a questionnaire, the same for every instrument: a structure's questionnaires, a response's
overview, one page per section with autosave (htmx) or a plain submit button, submission, reopening, export.

Permissions: horizon.questionnaires.perms. A person who may not see a response gets a 404 (forged ids find
nothing); one who may see it but not do the action gets a 403.
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.perms import can_view_restitution
from horizon.organisations.models import Structure
from horizon.questionnaires import catalogue, perms, responding, services
from horizon.questionnaires.exports import responses_workbook
from horizon.questionnaires.models import QuestionnaireVersion, Response

from . import attachments
from .forms import Feedback, ReopenForm, question_field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ_ONLY_SUBMITTED = "Ce questionnaire a été envoyé : il n'est plus modifiable."
READ_ONLY_VIEWER = "Vous pouvez consulter ces réponses, mais seuls les membres de la structure y répondent."


def _response_for(request, pk, allowed):
    """The response if `allowed(user, response)`; 404 when the person may not even see it, 403 otherwise."""
    response = get_object_or_404(Response.objects.select_related("version", "structure"), pk=pk)
    if not perms.can_view_response(request.user, response):
        raise Http404("Réponse introuvable.")
    if not allowed(request.user, response):
        raise PermissionDenied
    return response


def _read_only(request, response):
    """The 403 answer to someone who may see the response but not change it, saying why, in French."""
    message = READ_ONLY_VIEWER if response.is_draft else READ_ONLY_SUBMITTED
    if request.htmx:
        feedback = Feedback("readonly", message)
        return render(request, "responses/includes/question_status.html", {"feedback": feedback}, status=403)
    return render(request, "responses/read_only.html", {"response": response, "message": message}, status=403)


def _variant_label(response):
    variants = response.version.content.get("variants") or []
    return next((v.get("label", v["code"]) for v in variants if v["code"] == response.variant), response.variant)


# --- A structure's questionnaires ----------------------------------------------------------------------------


def structure_responses(request, structure_pk):
    structure = get_object_or_404(Structure, pk=structure_pk)
    if not perms.can_view_structure_responses(request.user, structure):
        raise Http404("Structure introuvable.")
    responses = list(structure.responses.select_related("version").order_by("-created_at", "-pk"))
    drafts = {}
    for response in responses:
        if response.is_draft:
            drafts.setdefault(response.version.code, response)
    questionnaires = [(version, drafts.get(version.code)) for version in catalogue.published_versions()]
    context = {
        "structure": structure,
        "questionnaires": questionnaires,
        "responses": responses,
        "can_start": perms.can_start_response(request.user, structure),
        "can_export": perms.can_export_responses(request.user),
    }
    return render(request, "responses/structure.html", context)


@require_POST
def start(request, structure_pk, code):
    structure = get_object_or_404(Structure, pk=structure_pk)
    if not perms.can_start_response(request.user, structure):
        if perms.can_view_structure_responses(request.user, structure):
            raise PermissionDenied
        raise Http404("Structure introuvable.")
    try:
        response, created = responding.start_or_resume(code, structure, request.user)
    except responding.NotPublished as exc:
        messages.error(request, str(exc))
        return redirect("responses:structure", structure_pk=structure.pk)
    if created:
        messages.success(request, "Questionnaire commencé : chaque réponse est enregistrée dès que vous la donnez.")
    else:
        messages.info(
            request,
            f"Ce questionnaire est déjà en cours pour votre structure (commencé le "
            f"{timezone.localtime(response.created_at):%d/%m/%Y}) : vous le reprenez là où il en était.",
        )
    return redirect("responses:detail", pk=response.pk)


# --- Overview, submission, reopening -------------------------------------------------------------------------


def _detail_context(request, response, reopen_form=None):
    sections = responding.sections(response)
    answered, total = responding.progress(sections)
    can_reopen = perms.can_reopen_response(request.user, response)
    context = {
        "response": response,
        "structure": response.structure,
        "variant_label": _variant_label(response),
        "sections": sections,
        "answered": answered,
        "total": total,
        "resume": responding.resume_section(sections),
        "can_edit": perms.can_edit_response(request.user, response),
        "can_export": perms.can_export_responses(request.user),
        "reopen_form": reopen_form or (ReopenForm() if can_reopen else None),
        "events": response.events.select_related("user"),
        "results": [],
        "scale_max": response.version.content.get("levels", {"max": 4})["max"],
    }
    if not response.is_draft:
        context["results"] = responding.dimension_results(response)
    # A submitted HR diagnostic has its restitution: strengths, axes de progrès, next steps, PDF.
    is_diagnostic = response.version.code == DIAGNOSTIC_CODE
    context["restitution_url"] = (
        reverse("diagnostics:restitution", args=[response.pk])
        if is_diagnostic and can_view_restitution(request.user, response)
        else None
    )
    return context


def detail(request, pk):
    response = _response_for(request, pk, perms.can_view_response)
    return render(request, "responses/detail.html", _detail_context(request, response))


def submit(request, pk):
    """GET: the confirmation step, listing what is still unanswered; POST: submit."""
    response = _response_for(request, pk, perms.can_view_response)
    if not perms.can_edit_response(request.user, response):
        return _read_only(request, response)
    if request.method == "POST":
        try:
            services.submit(response, request.user)
        except services.NotEditable as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Le questionnaire a été envoyé. Vos réponses ne sont plus modifiables.")
        return redirect("responses:detail", pk=response.pk)
    sections = responding.sections(response)
    answered, total = responding.progress(sections)
    context = {
        "response": response,
        "structure": response.structure,
        "sections": [section for section in sections if section.unanswered],
        "answered": answered,
        "total": total,
    }
    return render(request, "responses/submit.html", context)


@require_POST
def reopen(request, pk):
    response = _response_for(request, pk, perms.can_reopen_response)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return render(request, "responses/detail.html", _detail_context(request, response, form), status=422)
    try:
        services.reopen(response, request.user, form.cleaned_data["reason"])
    except services.NotEditable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Le questionnaire est rouvert : la structure peut de nouveau modifier ses réponses.")
    return redirect("responses:detail", pk=response.pk)


# --- Sections and saving -------------------------------------------------------------------------------------


@dataclass
class Slot:
    """A question's place on a section page: its inputs when shown, an empty hidden box when its condition does
    not hold (a later answer can make it appear there)."""

    name: str
    field: object = None  # QuestionField, or None when hidden
    attachments: tuple | list = ()  # the documents attached to a question with `evidence: true`


def _slots(section, revision, raws=None, feedbacks=None, revisions=None, attached=None):
    raws, feedbacks, revisions, attached = raws or {}, feedbacks or {}, revisions or {}, attached or {}
    return [
        Slot(
            question["name"],
            question_field(
                question,
                revisions.get(question["name"], revision),
                raw=raws.get(question["name"]),
                feedback=feedbacks.get(question["name"]),
            )
            if question["shown"]
            else None,
            attached.get(question["name"], ()),
        )
        for question in section.questions
    ]


def _evidence(section):
    return [question for question in section.questions if question.get("evidence")]


def _section_or_404(sections, index):
    found = responding.find_section(sections, index)
    if found is None:
        raise Http404("Cette section n'existe pas dans ce questionnaire.")
    return found


def _section_context(request, response, index, **overrides):
    sections = responding.sections(response)
    previous, section, following = _section_or_404(sections, index)
    editable = perms.can_edit_response(request.user, response)
    evidence = _evidence(section)
    attached = attachments.listed(response) if evidence else {}  # one query for every question of the page
    if not editable:
        for question in evidence:
            question["attachments"] = attached.get(question["name"], [])
    return {
        "response": response,
        "structure": response.structure,
        "sections": sections,
        "section": section,
        "previous": previous,
        "next": following,
        "position": sections.index(section) + 1,
        "editable": editable,
        "slots": _slots(section, response.revision, attached=attached, **overrides) if editable else [],
        "evidence": evidence if editable else [],
        "attachment_rules": attachments.rules(),
        "problems": [],
    }


def section(request, pk, index):
    response = _response_for(request, pk, perms.can_view_response)
    return render(request, "responses/section.html", _section_context(request, response, index))


def _int(value, default=0):
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return default


def _posted(request, question):
    if question["type"] == "multiple_choice":
        return request.POST.getlist(question["name"])
    return request.POST.get(question["name"], "")


def _initial(request, name):
    try:
        return json.loads(request.POST.get(f"initial-{name}", ""))
    except ValueError:
        return object()  # unknown: the field counts as changed


def _saved_message():
    now = timezone.localtime()
    return f"Enregistré à {now.hour} h {now.minute:02d}"


def _conflict_message(question, conflict, author, user):
    shown = responding.display_value(question, conflict["value"])
    if author is not None and author.pk == user.pk:
        who = "Vous avez"
        end = "depuis une autre page entre-temps. Cette réponse-ci n'a pas été enregistrée."
    else:
        who = f"Une autre personne ({author.get_full_name() or author.email}) a" if author else "Une autre personne a"
        end = "entre-temps. Votre réponse n'a pas été enregistrée."
    what = f"répondu « {shown} »" if shown else "effacé cette réponse"
    return f"{who} {what} {end}"


@require_POST
def save(request, pk):
    """Save answers. With `question`: that one answer (htmx autosave, answered with the question's status and
    out-of-band updates); else every changed answer of the section `section` (the form without JavaScript)."""
    response = _response_for(request, pk, perms.can_view_response)
    if not perms.can_edit_response(request.user, response):
        return _read_only(request, response)
    sections = responding.sections(response)
    single = request.POST.get("question")
    if single:
        section = next((s for s in sections if any(q["name"] == single for q in s.questions)), None)
        if section is None:
            raise Http404("Cette question n'existe pas dans ce questionnaire.")
        questions = [q for q in section.questions if q["name"] == single]
    else:
        _, section, _ = _section_or_404(sections, _int(request.POST.get("section")))
        questions = [
            q
            for q in section.questions
            if f"rev-{q['name']}" in request.POST
            and responding.has_changed(q, _posted(request, q), _initial(request, q["name"]))
        ]
    fields = {q["name"]: (_posted(request, q), _int(request.POST.get(f"rev-{q['name']}"))) for q in questions}
    try:
        result = responding.save_fields(response, fields, request.user)
    except services.NotEditable:
        response.refresh_from_db()
        return _read_only(request, response)
    result.response.structure = response.structure
    feedbacks = _feedbacks(request, questions, result)
    if single and request.htmx:
        return _autosave_answer(request, section, questions[0], result, feedbacks[single])
    if result.ok:
        if fields:
            messages.success(request, "Vos réponses ont été enregistrées.")
        else:
            messages.info(request, "Aucune réponse n'a changé : il n'y avait rien à enregistrer.")
        following = _int(request.POST.get("suite"), default=section.index) or section.index
        return redirect("responses:section", pk=response.pk, index=following)
    # Without JavaScript, a refused answer comes back on the page, as typed, with its message next to it.
    raws = {name: fields[name][0] for name in result.errors}
    revisions = {name: fields[name][1] for name in result.errors}
    context = _section_context(
        request, result.response, section.index, raws=raws, feedbacks=feedbacks, revisions=revisions
    )
    context["problems"] = [
        (slot.field, feedbacks[slot.name]) for slot in context["slots"] if slot.field and slot.name in feedbacks
    ]
    return render(request, "responses/section.html", context, status=409 if result.conflicts else 422)


def _feedbacks(request, questions, result):
    authors = responding.authors(conflict["user_id"] for conflict in result.conflicts.values())
    feedbacks = {}
    for question in questions:
        name = question["name"]
        if name in result.conflicts:
            conflict = result.conflicts[name]
            message = _conflict_message(question, conflict, authors.get(conflict["user_id"]), request.user)
            feedbacks[name] = Feedback("conflict", message)
        elif name in result.errors:
            feedbacks[name] = Feedback("error", result.errors[name])
        else:
            feedbacks[name] = Feedback("saved", _saved_message())
    return feedbacks


def _autosave_answer(request, before, question, result, feedback):
    """The htmx answer to one autosaved question: its status (the swap target), and out of band its new
    revision, its inputs reset to the stored value after a conflict, the questions of the section that this
    answer made appear or disappear, and the section's progress."""
    response = result.response
    sections = responding.sections(response)
    _, after, _ = _section_or_404(sections, before.index)
    shown_before = {q["name"]: q["shown"] for q in before.questions}
    changed = [
        q for q in after.questions if q["shown"] != shown_before.get(q["name"]) and q["name"] != question["name"]
    ]
    feedback.revealed = sum(1 for q in changed if q["shown"])
    current = next(q for q in after.questions if q["name"] == question["name"])
    attached = attachments.listed(response) if any(q["shown"] and q.get("evidence") for q in changed) else {}
    saved_or_conflict = feedback.state in ("saved", "conflict")
    context = {
        "response": response,
        "field": question_field(current, response.revision, feedback=feedback),
        "feedback": feedback,
        "update_state": saved_or_conflict,
        "reset_inputs": feedback.state == "conflict",
        "slots": [
            Slot(
                q["name"],
                question_field(q, response.revision) if q["shown"] else None,
                attached.get(q["name"], ()),
            )
            for q in changed
        ],
        "section": after,
        "attachment_rules": attachments.rules(),
    }
    status = {"saved": 200, "error": 422, "conflict": 409}[feedback.state]
    return render(request, "responses/includes/save_result.html", context, status=status)


# --- Export --------------------------------------------------------------------------------------------------


def export(request, code):
    if not perms.can_export_responses(request.user):
        raise PermissionDenied
    if not QuestionnaireVersion.objects.filter(code=code).exists():
        raise Http404("Questionnaire introuvable.")
    filename = f"reponses-{code}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return HttpResponse(
        responses_workbook(code),
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
