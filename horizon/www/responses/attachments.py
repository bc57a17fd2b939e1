"""Documents attached to answers (questions with `evidence: true`): add, download, remove.

Adding and removing follow the rules of saving answers (members of the structure, while the response is a draft);
downloading those of reading it. A person who may not see the response gets a 404 (forged ids find nothing), one
who may see it but not change it a 403. Without JavaScript each form posts and comes back to the section page with
a message; with htmx the answer is the question's list of documents and, out of band, what happened.

The section page is one <form>: the forms here live after it and their inputs, inside each question's card, are
tied to them by their `form` attribute (HTML forbids nested forms).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from horizon.questionnaires import attachments as evidence
from horizon.questionnaires import perms, responding, services
from horizon.questionnaires.definition import questions
from horizon.questionnaires.models import Attachment, Response

READ_ONLY_SUBMITTED = "Ce questionnaire a été envoyé : ses documents ne sont plus modifiables."
READ_ONLY_VIEWER = (
    "Vous pouvez consulter ces documents, mais seuls les membres de la structure les ajoutent ou les retirent."
)


@dataclass(frozen=True)
class Rules:
    """What the upload control states next to it."""

    accept: str
    formats: str
    max_size: str
    max_count: int


def rules():
    return Rules(
        evidence.ACCEPT, evidence.ACCEPTED_FORMATS, evidence.human_size(evidence.max_bytes()), evidence.MAX_PER_QUESTION
    )


def _labelled(attachments):
    for attachment in attachments:
        attachment.size_label = evidence.human_size(attachment.size)
    return attachments


def listed(response):
    """{question name: [Attachment]} with their sizes in words, in one query."""
    return {name: _labelled(found) for name, found in evidence.by_question(response).items()}


def _of_question(response, name):
    query = Attachment.objects.filter(response=response, question=name).select_related("uploaded_by")
    return _labelled(list(query))


def _section_url(response, question_name):
    """The section page that asks the question, or the response's overview when no section does."""
    for section in responding.sections(response):
        if any(question["name"] == question_name for question in section.questions):
            return reverse("responses:section", args=[response.pk, section.index])
    return reverse("responses:detail", args=[response.pk])


def _question_label(response, name):
    found = next((q for q in questions(response.version.content) if q["name"] == name), None)
    return found["label"] if found else ""


def _read_only_message(response):
    return READ_ONLY_VIEWER if response.is_draft else READ_ONLY_SUBMITTED


def _answer(request, response, name, message, state, status=200):
    """The end of every add and remove: with htmx the question's list and the message, else back to the page."""
    if request.htmx:
        context = {
            "response": response,
            "name": name,
            "attachments": _of_question(response, name),
            "editable": perms.can_edit_response(request.user, response),
            "state": state,
            "message": message,
        }
        return render(request, "responses/includes/attachment_result.html", context, status=status)
    if state == "readonly":
        context = {"response": response, "message": message}
        return render(request, "responses/read_only.html", context, status=status)
    (messages.success if state == "saved" else messages.error)(request, message)
    return redirect(_section_url(response, name))


def _visible_attachment(request, pk):
    attachment = get_object_or_404(
        Attachment.objects.select_related("response__version", "response__structure", "uploaded_by"), pk=pk
    )
    if not perms.can_view_response(request.user, attachment.response):
        raise Http404("Document introuvable.")
    return attachment


@require_POST
def upload(request, pk):
    response = get_object_or_404(Response.objects.select_related("version", "structure"), pk=pk)
    if not perms.can_view_response(request.user, response):
        raise Http404("Réponse introuvable.")
    name = request.POST.get("question", "")
    if not perms.can_edit_response(request.user, response):
        return _answer(request, response, name, _read_only_message(response), "readonly", status=403)
    try:
        attachment = evidence.attach(response, name, request.FILES.get("file"), request.user)
    except services.NotEditable:
        response.refresh_from_db()
        return _answer(request, response, name, _read_only_message(response), "readonly", status=403)
    except evidence.AttachmentRefused as exc:
        return _answer(request, response, name, _refusal(request, response, name, str(exc)), "error", status=422)
    label = _question_label(response, name)
    if request.htmx or not label:
        message = f"Le document « {attachment.original_name} » a été joint."
    else:
        message = f"Le document « {attachment.original_name} » a été joint à la question « {label} »."
    return _answer(request, response, name, message, "saved")


def _refusal(request, response, name, reason):
    """Without JavaScript the message shows at the top of the page: it names the question too."""
    label = _question_label(response, name)
    if request.htmx or not label:
        return reason
    return f"Document non joint à la question « {label} » : {reason[:1].lower()}{reason[1:]}"


def download(request, pk):
    attachment = _visible_attachment(request, pk)
    storage = attachment.file.storage
    try:
        handle = storage.open(attachment.file.name, "rb")
    except (OSError, ValueError):
        messages.error(
            request,
            f"Le document « {attachment.original_name} » est introuvable sur le serveur. "
            f"Un membre de la structure peut le joindre à nouveau.",
        )
        return redirect(_section_url(attachment.response, attachment.question))
    result = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    result["X-Content-Type-Options"] = "nosniff"
    result["Cache-Control"] = "private, no-store"
    return result


@require_POST
def delete(request, pk):
    attachment = _visible_attachment(request, pk)
    response, name = attachment.response, attachment.question
    if not perms.can_edit_response(request.user, response):
        return _answer(request, response, name, _read_only_message(response), "readonly", status=403)
    try:
        evidence.detach(attachment, request.user)
    except services.NotEditable:
        response.refresh_from_db()
        return _answer(request, response, name, _read_only_message(response), "readonly", status=403)
    return _answer(request, response, name, f"Le document « {attachment.original_name} » a été retiré.", "saved")
