"""Documents attached to answers: what is accepted (extension and first bytes), sizes, limits, names, the draft
rule, the events recorded, and the stored file that goes with its row."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from horizon.questionnaires import attachments, services
from horizon.questionnaires.definition import load
from horizon.questionnaires.enums import ResponseEventKind
from horizon.questionnaires.models import Attachment
from tests.factories.accounts import UserFactory
from tests.factories.organisations import StructureFactory

FIXTURES = Path(__file__).parent / "fixtures"
EVIDENCE = load(FIXTURES / "evidence.yaml")
ACCEPTED = "Formats acceptés : PDF, image JPEG ou PNG, document texte ou tableur"


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _odf(mimetype):
    return _zip({"mimetype": mimetype, "content.xml": "<office:document-content/>"})


def _ooxml(folder):
    return _zip({"[Content_Types].xml": "<Types/>", f"{folder}/document.xml": "<document/>"})


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
SAMPLES = {
    "pdf": (b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20, "image/png"),
    "jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + b"\x00" * 20, "image/jpeg"),
    "odt": (_odf("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text"),
    "ods": (_odf("application/vnd.oasis.opendocument.spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    "docx": (_ooxml("word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (_ooxml("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "doc": (OLE, "application/msword"),
    "xls": (OLE, "application/vnd.ms-excel"),
}


def upload(name, content):
    return SimpleUploadedFile(name, content)


def pdf(name="preuve.pdf", size=None):
    content = SAMPLES["pdf"][0]
    if size is not None:
        content = (content + b"0" * size)[:size]
    return upload(name, content)


@pytest.fixture
def version(db):
    return services.publish(EVIDENCE)[0]


@pytest.fixture
def user(db):
    return UserFactory(first_name="Alice", last_name="Durand")


@pytest.fixture
def response(version, user):
    return services.start(version, StructureFactory(), user, variant="tpe")


# --- Names and sizes (no database) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\alice\\Plan de formation 2024.docx", "Plan de formation 2024.docx"),
        ("  Fiche   de poste .pdf ", "Fiche de poste.pdf"),
        ("rap\x00port\n.pdf", "rapport.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # no right-to-left override to disguise the extension
        (".pdf", "document.pdf"),
        ("..", "document"),
        ("", "document"),
        ("Équipe.ODT", "Équipe.ODT"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_names_are_cleaned(given, cleaned):
    assert attachments.clean_name(given) == cleaned
    assert len(attachments.clean_name(given)) <= 255


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 octet"),
        (1, "1 octet"),
        (512, "512 octets"),
        (2048, "2 Ko"),
        (1258291, "1,2 Mo"),
        (10 * 1024 * 1024, "10 Mo"),
    ],
)
def test_sizes_are_said_in_french(size, shown):
    assert attachments.human_size(size) == shown


@pytest.mark.parametrize(("extension", "expected"), [(extension, sample[1]) for extension, sample in SAMPLES.items()])
def test_each_accepted_format_passes_the_check(extension, expected):
    name, found = attachments.check_file(upload(f"piece.{extension}", SAMPLES[extension][0]))
    assert name == f"piece.{extension}" and found.content_type == expected


# --- Attaching -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", SAMPLES)
def test_accepted_documents_are_stored_and_recorded(response, user, extension):
    content, content_type = SAMPLES[extension]
    attachment = attachments.attach(response, "plan", upload(f"Plan 2024.{extension}", content), user)
    attachment.refresh_from_db()
    assert attachment.question == "plan" and attachment.original_name == f"Plan 2024.{extension}"
    assert attachment.size == len(content) and attachment.content_type == content_type
    assert attachment.uploaded_by == user and attachment.uploaded_at is not None
    assert attachment.file.name.startswith(f"pieces-jointes/{response.pk}/")
    assert attachment.file.name.endswith(f"/plan-2024.{extension}")
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    event = response.events.last()
    assert (event.kind, event.note, event.user) == (ResponseEventKind.ATTACHMENT_ADDED, f"Plan 2024.{extension}", user)


def test_the_type_is_decided_by_the_server_not_by_the_browser(response, user):
    lying = SimpleUploadedFile("preuve.pdf", SAMPLES["pdf"][0], content_type="text/html")
    assert attachments.attach(response, "plan", lying, user).content_type == "application/pdf"


def test_a_path_in_the_name_never_reaches_the_storage(response, user):
    attachment = attachments.attach(response, "plan", pdf("../../../settings/evil.pdf"), user)
    assert attachment.original_name == "evil.pdf"
    assert ".." not in attachment.file.name and attachment.file.name.count("/") == 3


def test_a_file_over_the_limit_is_refused_naming_the_limit(response, user):
    with pytest.raises(attachments.AttachmentRefused, match=r"^Le fichier dépasse 10 Mo\. "):
        attachments.attach(response, "plan", pdf(size=10 * 1024 * 1024 + 1), user)
    assert attachments.attach(response, "plan", pdf(size=10 * 1024 * 1024), user).size == 10 * 1024 * 1024


def test_the_limit_is_a_setting(response, user, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(
        attachments.AttachmentRefused,
        match=r"^Le fichier dépasse 2 Mo\. Réduisez « preuve\.pdf » \(3 Mo\) \(PDF compressé",
    ):
        attachments.attach(response, "plan", pdf(size=3 * 1024 * 1024), user)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faux.pdf", b"<html><script>alert(1)</script></html>", "ce n'est pas un PDF"),
        ("image.pdf", SAMPLES["png"][0], "ce n'est pas un PDF"),
        ("photo.png", SAMPLES["jpg"][0], "ce n'est pas une image PNG"),
        ("archive.docx", _zip({"virus.exe": "MZ"}), "ce n'est pas un document Word"),
        ("tableur.odt", SAMPLES["ods"][0], "ce n'est pas un document texte OpenDocument"),
        ("classeur.xlsx", SAMPLES["docx"][0], "ce n'est pas un classeur Excel"),
        ("casse.docx", b"PK\x03\x04" + b"\x00" * 40, "ce n'est pas un document Word"),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(response, user, name, content, message):
    with pytest.raises(attachments.AttachmentRefused) as refused:
        attachments.attach(response, "plan", upload(name, content), user)
    assert f"Le contenu de « {name} » ne correspond pas à son extension : {message}." in str(refused.value)
    assert ACCEPTED in str(refused.value)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "shown"),
    [("programme.exe", "fichier .exe"), ("page.html", "fichier .html"), ("sans-extension", "fichier sans extension")],
)
def test_other_formats_are_refused_listing_those_accepted(response, user, name, shown):
    with pytest.raises(attachments.AttachmentRefused) as refused:
        attachments.attach(response, "plan", upload(name, SAMPLES["pdf"][0]), user)
    assert str(refused.value) == (
        f"Format non accepté : {shown}. Formats acceptés : PDF, image JPEG ou PNG, document texte ou tableur "
        "(ODT, ODS, DOCX, XLSX, DOC, XLS)."
    )


def test_an_empty_or_missing_file_is_refused(response, user):
    with pytest.raises(attachments.AttachmentRefused, match="Le fichier « vide.pdf » est vide."):
        attachments.attach(response, "plan", upload("vide.pdf", b""), user)
    with pytest.raises(attachments.AttachmentRefused, match="Choisissez le document à joindre."):
        attachments.attach(response, "plan", None, user)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("commentaire", "Cette question n'accepte pas de document joint."),
        ("inconnue", "Cette question n'existe pas dans ce questionnaire."),
        ("cartographie", "Cette question n'existe pas dans ce questionnaire."),  # asked of the pme variant only
    ],
)
def test_only_evidence_questions_of_the_response_accept_documents(response, user, question, message):
    with pytest.raises(attachments.AttachmentRefused, match=message):
        attachments.attach(response, question, pdf(), user)
    assert not Attachment.objects.exists()


def test_an_evidence_question_of_the_response_variant_accepts_documents(version, user):
    pme = services.start(version, StructureFactory(), user, variant="pme")
    assert attachments.attach(pme, "cartographie", pdf(), user).question == "cartographie"


def test_a_submitted_response_takes_no_document_and_loses_none(response, user):
    kept = attachments.attach(response, "plan", pdf(), user)
    services.submit(response, user)
    with pytest.raises(services.NotEditable, match="il n'est plus modifiable"):
        attachments.attach(response, "plan", pdf("autre.pdf"), user)
    with pytest.raises(services.NotEditable):
        attachments.detach(kept, user)
    assert list(Attachment.objects.all()) == [kept]
    assert default_storage.exists(kept.file.name)


def test_a_question_holds_at_most_five_documents(response, user):
    for number in range(attachments.MAX_PER_QUESTION):
        attachments.attach(response, "plan", pdf(f"preuve-{number}.pdf"), user)
    with pytest.raises(attachments.AttachmentRefused) as refused:
        attachments.attach(response, "plan", pdf("une-de-trop.pdf"), user)
    assert "Cette question a déjà 5 documents joints, le maximum" in str(refused.value)
    assert response.attachments.count() == 5
    # Another question has its own allowance.
    assert attachments.attach(response, "plan_bilan", pdf(), user).question == "plan_bilan"


def test_two_documents_of_the_same_name_are_both_kept(response, user):
    first = attachments.attach(response, "plan", pdf(), user)
    second = attachments.attach(response, "plan", pdf(), user)
    assert first.file.name != second.file.name
    assert first.original_name == second.original_name == "preuve.pdf"


# --- Removing ------------------------------------------------------------------------------------------------


def test_detaching_deletes_the_row_then_the_file_once_committed(response, user, django_capture_on_commit_callbacks):
    attachment = attachments.attach(response, "plan", pdf("Plan de formation.pdf"), user)
    stored = attachment.file.name
    remover = UserFactory(first_name="Bruno", last_name="Petit")
    with django_capture_on_commit_callbacks() as callbacks:
        attachments.detach(attachment, remover)
        assert default_storage.exists(stored)  # not before the commit
    assert not Attachment.objects.exists()
    for callback in callbacks:
        callback()
    assert not default_storage.exists(stored)
    event = response.events.last()
    assert (event.kind, event.note, event.user) == (
        ResponseEventKind.ATTACHMENT_REMOVED,
        "Plan de formation.pdf",
        remover,
    )
    assert [e.kind for e in response.events.all()] == [
        ResponseEventKind.STARTED,
        ResponseEventKind.ATTACHMENT_ADDED,
        ResponseEventKind.ATTACHMENT_REMOVED,
    ]


def test_files_go_with_their_response(response, user, django_capture_on_commit_callbacks):
    stored = [attachments.attach(response, "plan", pdf(f"p{n}.pdf"), user).file.name for n in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response.delete()
    assert not any(default_storage.exists(name) for name in stored)


def test_a_file_already_missing_does_not_prevent_the_removal(response, user, django_capture_on_commit_callbacks):
    attachment = attachments.attach(response, "plan", pdf(), user)
    default_storage.delete(attachment.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        attachments.detach(attachment, user)
    assert not Attachment.objects.exists()


def test_the_documents_of_a_response_are_read_in_one_query(response, user, django_assert_num_queries):
    for name in ("plan", "plan", "plan_bilan"):
        attachments.attach(response, name, pdf(), user)
    with django_assert_num_queries(1):
        found = attachments.by_question(response)
        assert {name: len(items) for name, items in found.items()} == {"plan": 2, "plan_bilan": 1}
        assert found["plan"][0].uploaded_by.get_full_name() == "Alice Durand"
