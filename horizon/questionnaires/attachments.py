"""Documents attached to answers as evidence: a structure shows its job descriptions, its training plan…

Only questions marked `evidence: true` in the response's version accept documents, and only while the response is
a draft. A document is accepted by its extension *and* by its first bytes (a PDF must begin like a PDF, an
OpenDocument or Office file must be the zip archive that format is), within a size limit (the setting
ATTACHMENT_MAX_BYTES) and a number of documents per question. Each addition and removal is recorded as an event of
the response, with the file's name. A deleted row takes its stored file with it once the transaction commits.

Files are never served from MEDIA_URL: the pages hand them out after checking who asks (www/responses).
"""

import contextlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.text import slugify

from .definition import questions
from .enums import ResponseEventKind
from .models import Attachment, ResponseEvent
from .services import locked_draft

MAX_PER_QUESTION = 5
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 255
STORED_STEM_LENGTH = 80  # the stored path holds a slug of the name: pieces-jointes/<response>/<uuid>/<slug>.<ext>

PDF, PNG, JPEG = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED_FORMATS = "PDF, image JPEG ou PNG, document texte ou tableur (ODT, ODS, DOCX, XLSX, DOC, XLS)"


@dataclass(frozen=True)
class Format:
    label: str  # what the file must be, in French ("un PDF")
    content_type: str
    signature: bytes
    archive: str = ""  # for zip formats: "odf:<mimetype>" or "ooxml:<folder>/" that the archive must hold


FORMATS = {
    "pdf": Format("un PDF", "application/pdf", PDF),
    "png": Format("une image PNG", "image/png", PNG),
    "jpg": Format("une image JPEG", "image/jpeg", JPEG),
    "jpeg": Format("une image JPEG", "image/jpeg", JPEG),
    "odt": Format(
        "un document texte OpenDocument",
        "application/vnd.oasis.opendocument.text",
        ZIP,
        "odf:application/vnd.oasis.opendocument.text",
    ),
    "ods": Format(
        "un tableur OpenDocument",
        "application/vnd.oasis.opendocument.spreadsheet",
        ZIP,
        "odf:application/vnd.oasis.opendocument.spreadsheet",
    ),
    "docx": Format(
        "un document Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        "ooxml:word/",
    ),
    "xlsx": Format(
        "un classeur Excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP,
        "ooxml:xl/",
    ),
    "doc": Format("un document Word", "application/msword", OLE),
    "xls": Format("un classeur Excel", "application/vnd.ms-excel", OLE),
}
ACCEPT = ",".join(f".{extension}" for extension in FORMATS)  # for <input type="file" accept="…">


class AttachmentRefused(Exception):
    """The document cannot be attached; the message is in French and names the problem and the limit."""


def max_bytes():
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def human_size(size):
    """A size in French: "512 octets", "35 Ko", "1,2 Mo", "10 Mo" (1 Ko = 1 024 octets)."""
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
    return f"{megabytes} Mo"


def clean_name(name):
    """The file's own name, as people will see it: no folders, no control or direction characters, no leading
    dot, at most 255 characters with its extension kept; "document.<ext>" when nothing is left of it."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    stem, dot, extension = name.strip().rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = " ".join(stem.split()).strip(" .")
    extension = extension.strip()
    if not stem:
        stem = "document"
    if extension:
        stem = stem[: MAX_NAME_LENGTH - len(extension) - 1]
        return f"{stem}.{extension}"
    return stem[:MAX_NAME_LENGTH]


def extension_of(name):
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _stored_name(name, extension):
    stem = name[: -len(extension) - 1] if extension else name
    return f"{slugify(stem)[:STORED_STEM_LENGTH] or 'document'}.{extension}"


def _read_head(uploaded_file, length=8):
    uploaded_file.seek(0)
    head = uploaded_file.read(length)
    uploaded_file.seek(0)
    return head


def _archive_holds(uploaded_file, expected):
    """Whether a zip file is the OpenDocument or Office document its extension says."""
    kind, _, value = expected.partition(":")
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            if kind == "odf":
                return "mimetype" in names and archive.read("mimetype").strip() == value.encode("ascii")
            return "[Content_Types].xml" in names and any(name.startswith(value) for name in names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError):
        return False
    finally:
        uploaded_file.seek(0)


def check_file(uploaded_file):
    """(clean name, Format) of an acceptable file; raises AttachmentRefused saying what is wrong."""
    if uploaded_file is None:
        raise AttachmentRefused("Choisissez le document à joindre.")
    name = clean_name(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size or 0
    if size == 0:
        raise AttachmentRefused(f"Le fichier « {name} » est vide.")
    limit = max_bytes()
    if size > limit:
        weight = human_size(size)
        weight = f" ({weight})" if weight != human_size(limit) else ""
        raise AttachmentRefused(
            f"Le fichier dépasse {human_size(limit)}. Réduisez « {name} »{weight} (PDF compressé, image moins "
            f"lourde) ou joignez-en un extrait."
        )
    extension = extension_of(name)
    found = FORMATS.get(extension)
    if found is None:
        shown = f"fichier .{extension}" if extension else "fichier sans extension"
        raise AttachmentRefused(f"Format non accepté : {shown}. Formats acceptés : {ACCEPTED_FORMATS}.")
    genuine = _read_head(uploaded_file, len(found.signature)) == found.signature
    if genuine and found.archive:
        genuine = _archive_holds(uploaded_file, found.archive)
    if not genuine:
        raise AttachmentRefused(
            f"Le contenu de « {name} » ne correspond pas à son extension : ce n'est pas {found.label}. "
            f"Formats acceptés : {ACCEPTED_FORMATS}."
        )
    return name, found


def evidence_question(response, question_name):
    """The question of the response's version (and variant) that accepts documents; raises AttachmentRefused."""
    variant = response.variant or None
    for question in questions(response.version.content):
        if question["name"] != question_name:
            continue
        if question.get("variants") and variant not in question["variants"]:
            break
        if not question.get("evidence"):
            raise AttachmentRefused("Cette question n'accepte pas de document joint.")
        return question
    raise AttachmentRefused("Cette question n'existe pas dans ce questionnaire.")


@transaction.atomic
def attach(response, question_name, uploaded_file, user):
    """Store the document as evidence of the answer to `question_name`; returns the Attachment.

    Raises services.NotEditable when the response is no longer a draft, AttachmentRefused otherwise.
    """
    response = locked_draft(response)
    question = evidence_question(response, question_name)
    name, found = check_file(uploaded_file)
    if response.attachments.filter(question=question["name"]).count() >= MAX_PER_QUESTION:
        raise AttachmentRefused(
            f"Cette question a déjà {MAX_PER_QUESTION} documents joints, le maximum : "
            f"retirez-en un pour en joindre un autre."
        )
    attachment = Attachment(
        response=response,
        question=question["name"],
        original_name=name,
        size=uploaded_file.size,
        content_type=found.content_type,
        uploaded_by=user,
    )
    uploaded_file.seek(0)
    attachment.file.save(_stored_name(name, extension_of(name)), uploaded_file, save=False)
    try:
        attachment.save()
        ResponseEvent.objects.create(
            response=response, kind=ResponseEventKind.ATTACHMENT_ADDED, user=user, note=name[:255]
        )
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def detach(attachment, user):
    """Remove a document (its file goes once the transaction commits). Raises services.NotEditable."""
    response = locked_draft(attachment.response)
    attachment.delete()
    ResponseEvent.objects.create(
        response=response, kind=ResponseEventKind.ATTACHMENT_REMOVED, user=user, note=attachment.original_name[:255]
    )


def by_question(response):
    """{question name: [Attachment]} of a response, in the order they were added, in one query."""
    found = {}
    for attachment in Attachment.objects.filter(response=response).select_related("uploaded_by"):
        found.setdefault(attachment.question, []).append(attachment)
    return found


@receiver(post_delete, sender=Attachment, dispatch_uid="questionnaires.attachment_file")
def _delete_stored_file(sender, instance, using, **kwargs):
    """A deleted row (removed, or with its response or structure) takes its file along, once committed."""
    name, storage = instance.file.name, instance.file.storage
    if not name:
        return

    def delete():
        storage.delete(name)
        with contextlib.suppress(NotImplementedError, OSError):  # its own folder, pieces-jointes/<response>/<uuid>/
            os.rmdir(os.path.dirname(storage.path(name)))

    transaction.on_commit(delete, using=using)
