"""Documents attached to answers through the pages: adding, downloading and removing with and without htmx, who may
do what, forged ids, the section page (lists under evidence questions only, no nested forms, read-only once
submitted) and its constant number of queries. The sample questionnaire's « fiches_de_poste » accepts documents."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from horizon.programmes.enums import ProgrammeRole
from horizon.questionnaires import attachments, services
from horizon.questionnaires.definition import load
from horizon.questionnaires.enums import ResponseEventKind
from horizon.questionnaires.models import Attachment, Response
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.permissions import FORBIDDEN, LOGIN, NOT_FOUND, OK
from tests.queries import count_queries

FIXTURES = Path(__file__).resolve().parents[1] / "questionnaires" / "fixtures"
SAMPLE = load(FIXTURES / "sample.yaml")
EVIDENCE = load(FIXTURES / "evidence.yaml")
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def pdf(name="Fiches de poste.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def version(db):
    return services.publish(SAMPLE)[0]


@pytest.fixture
def draft(version, structure, admin):
    return services.start(version, structure, admin, variant="pme")


@pytest.fixture
def attached(draft, admin):
    return attachments.attach(draft, "fiches_de_poste", pdf(), admin)


def post_upload(client, response, question="fiches_de_poste", file=None, htmx=False):
    data = {"question": question}
    if file is not None:
        data["file"] = file
    return client.post(reverse("responses:attachment_upload", args=[response.pk]), data, **(HTMX if htmx else {}))


def post_delete(client, attachment, htmx=False):
    return client.post(reverse("responses:attachment_delete", args=[attachment.pk]), **(HTMX if htmx else {}))


def section_page(client, response, index=1):
    return client.get(reverse("responses:section", args=[response.pk, index])).content.decode()


# --- Permission matrix ---------------------------------------------------------------------------------------

OTHER_ROLES = [role for role in ProgrammeRole.values if role != ProgrammeRole.COORDINATOR]
ROLES = ["anonymous", "no_role", "admin", "member", "other_member", *ProgrammeRole.values]
STRANGERS = {"no_role": NOT_FOUND, "other_member": NOT_FOUND, **dict.fromkeys(OTHER_ROLES, NOT_FOUND)}
MATRIX = {
    "upload": {"admin": OK, "member": OK, "coordinator": FORBIDDEN, **STRANGERS},
    "download": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "delete": {"admin": OK, "member": OK, "coordinator": FORBIDDEN, **STRANGERS},
    "submitted_upload": {"admin": FORBIDDEN, "member": FORBIDDEN, "coordinator": FORBIDDEN, **STRANGERS},
    "submitted_download": {"admin": OK, "member": OK, "coordinator": OK, **STRANGERS},
    "submitted_delete": {"admin": FORBIDDEN, "member": FORBIDDEN, "coordinator": FORBIDDEN, **STRANGERS},
}


@pytest.fixture
def world(draft, structure, admin, member, version):
    submitted = services.start(version, structure, admin, variant="tpe")
    kept = attachments.attach(submitted, "fiches_de_poste", pdf("Envoyé.pdf"), admin)
    services.submit(submitted, admin)
    users = {
        "admin": admin,
        "member": member,
        "other_member": employer(StructureFactory()),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in ProgrammeRole.values},
    }
    return users, submitted, kept


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, draft, admin, role, action):
    """Additions and removals are posted with htmx here (200 when done); without it, see the tests below."""
    users, submitted, kept = world
    if role != "anonymous":
        client.force_login(users[role])
    verb = action.removeprefix("submitted_")
    response, target = (
        (submitted, kept)
        if action.startswith("submitted_")
        else (draft, attachments.attach(draft, "fiches_de_poste", pdf(), admin))
    )
    before = set(Attachment.objects.values_list("pk", flat=True))
    if verb == "upload":
        answer = post_upload(client, response, file=pdf("Nouveau.pdf"), htmx=True)
    elif verb == "download":
        answer = client.get(reverse("responses:attachment_download", args=[target.pk]))
    else:
        answer = post_delete(client, target, htmx=True)
    after = set(Attachment.objects.values_list("pk", flat=True))
    if role == "anonymous":
        assert answer.status_code == LOGIN and answer["Location"].startswith(reverse("accounts:login"))
        assert after == before
        return
    expected = MATRIX[action][role]
    assert answer.status_code == expected, f"{role} on {action}"
    if expected == OK and verb == "upload":
        assert len(after - before) == 1 and before <= after
    elif expected == OK and verb == "delete":
        assert after == before - {target.pk}
    else:
        assert after == before
    if expected == NOT_FOUND:
        assert "Centre social Bastide" not in answer.content.decode()
        assert "Fiches de poste" not in answer.content.decode()


@pytest.mark.parametrize("role", ["other_member", "no_role", *OTHER_ROLES])
def test_forged_ids_of_another_structure_find_nothing(client, world, attached, draft, role):
    users, _, _ = world
    client.force_login(users[role])
    assert client.get(reverse("responses:attachment_download", args=[attached.pk])).status_code == NOT_FOUND
    assert post_delete(client, attached).status_code == NOT_FOUND
    assert post_delete(client, attached, htmx=True).status_code == NOT_FOUND
    assert post_upload(client, draft, file=pdf(), htmx=True).status_code == NOT_FOUND
    assert list(draft.attachments.all()) == [attached]
    assert default_storage.exists(attached.file.name)


def test_unknown_ids_are_not_found(client, draft, member):
    client.force_login(member)
    assert client.get(reverse("responses:attachment_download", args=[999999])).status_code == NOT_FOUND
    assert client.post(reverse("responses:attachment_delete", args=[999999])).status_code == NOT_FOUND
    assert client.post(reverse("responses:attachment_upload", args=[999999]), {"question": "x"}).status_code == 404


def test_never_on_get(client, attached, draft, member):
    client.force_login(member)
    assert client.get(reverse("responses:attachment_upload", args=[draft.pk])).status_code == 405
    assert client.get(reverse("responses:attachment_delete", args=[attached.pk])).status_code == 405
    assert Attachment.objects.count() == 1


# --- Adding --------------------------------------------------------------------------------------------------


def test_without_javascript_a_document_is_added_and_the_page_says_so(client, draft, member):
    client.force_login(member)
    answer = post_upload(client, draft, file=pdf())
    assert answer["Location"] == reverse("responses:section", args=[draft.pk, 1])
    attachment = draft.attachments.get()
    assert (attachment.question, attachment.uploaded_by, attachment.original_name) == (
        "fiches_de_poste",
        member,
        "Fiches de poste.pdf",
    )
    page = client.get(answer["Location"]).content.decode()
    assert "Le document « Fiches de poste.pdf » a été joint à la question « Vos postes sont-ils décrits ? »." in page
    assert reverse("responses:attachment_download", args=[attachment.pk]) in page
    assert "— ajouté par Bruno Petit le " in page and "(35 octets)" in page
    event = draft.events.last()
    assert (event.kind, event.note, event.user) == (ResponseEventKind.ATTACHMENT_ADDED, "Fiches de poste.pdf", member)


def test_with_htmx_the_list_of_the_question_is_answered(client, draft, member):
    client.force_login(member)
    answer = post_upload(client, draft, file=pdf(), htmx=True)
    assert answer.status_code == OK
    body = answer.content.decode()
    attachment = draft.attachments.get()
    assert reverse("responses:attachment_download", args=[attachment.pk]) in body
    assert reverse("responses:attachment_delete", args=[attachment.pk]) in body
    assert 'form="detach-fiches_de_poste"' in body and "Retirer" in body
    assert '<div id="attachment-status-fiches_de_poste" hx-swap-oob="innerHTML">' in body
    assert 'data-state="saved"' in body and "Le document « Fiches de poste.pdf » a été joint." in body
    assert "<html" not in body


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("question", "file", "message"),
    [
        ("fiches_de_poste", None, "Choisissez le document à joindre."),
        ("fiches_de_poste", pdf("vide.pdf", b""), "Le fichier « vide.pdf » est vide."),
        ("fiches_de_poste", pdf("faux.pdf", b"<html></html>"), "ne correspond pas à son extension"),
        ("fiches_de_poste", pdf("script.js", PDF), "Format non accepté : fichier .js."),
        ("organigramme", pdf(), "Cette question n'accepte pas de document joint."),
        ("inconnue", pdf(), "Cette question n'existe pas dans ce questionnaire."),
        ("", pdf(), "Cette question n'existe pas dans ce questionnaire."),
    ],
)
def test_refusals_are_said_in_french(client, draft, member, question, file, message, htmx):
    client.force_login(member)
    if file is not None:
        file.seek(0)
    answer = post_upload(client, draft, question=question, file=file, htmx=htmx)
    if htmx:
        assert answer.status_code == 422
        body = answer.content.decode()
        assert 'data-state="error"' in body
    else:
        assert answer.status_code == 302
        body = client.get(answer["Location"]).content.decode()
    assert message.replace("'", "&#x27;") in body or message.lower().replace("'", "&#x27;") in body
    assert not Attachment.objects.exists()


def test_without_javascript_a_refusal_names_the_question(client, draft, member, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(member)
    answer = post_upload(client, draft, file=pdf("Gros.pdf", PDF + b"0" * 1024 * 1024))
    page = client.get(answer["Location"]).content.decode()
    assert (
        "Document non joint à la question « Vos postes sont-ils décrits ? » : le fichier dépasse 1 Mo. "
        "Réduisez « Gros.pdf » (PDF compressé" in page
    )


def test_the_sixth_document_is_refused(client, draft, member):
    for number in range(5):
        attachments.attach(draft, "fiches_de_poste", pdf(f"p{number}.pdf"), member)
    client.force_login(member)
    answer = post_upload(client, draft, file=pdf(), htmx=True)
    assert answer.status_code == 422
    assert "Cette question a déjà 5 documents joints, le maximum" in answer.content.decode()
    assert draft.attachments.count() == 5


def test_a_response_submitted_meanwhile_refuses_with_htmx(client, draft, member, attached):
    client.force_login(member)
    services.submit(draft, member)
    answer = post_upload(client, draft, file=pdf(), htmx=True)
    assert answer.status_code == FORBIDDEN
    body = answer.content.decode()
    assert "Ce questionnaire a été envoyé : ses documents ne sont plus modifiables." in body
    assert 'data-state="readonly"' in body and "Retirer" not in body  # the list, read-only
    assert attached.original_name in body
    removal = post_delete(client, attached, htmx=True)
    assert removal.status_code == FORBIDDEN and "ne sont plus modifiables" in removal.content.decode()
    assert list(draft.attachments.all()) == [attached]


def test_coordinators_are_told_why_they_cannot_add(client, draft, coordinator, attached):
    client.force_login(coordinator)
    answer = post_upload(client, draft, file=pdf())
    assert answer.status_code == FORBIDDEN
    assert "seuls les membres de la structure les ajoutent ou les retirent" in answer.content.decode()
    assert post_delete(client, attached, htmx=True).status_code == FORBIDDEN
    assert draft.attachments.count() == 1


# --- Downloading ---------------------------------------------------------------------------------------------


def test_a_download_is_the_file_as_an_attachment_with_its_name(client, draft, member, coordinator):
    attachment = attachments.attach(draft, "fiches_de_poste", pdf("Fiche poste été.pdf"), member)
    for user in (member, coordinator):
        client.force_login(user)
        answer = client.get(reverse("responses:attachment_download", args=[attachment.pk]))
        assert answer.status_code == OK
        assert b"".join(answer.streaming_content) == PDF
        assert answer["Content-Type"] == "application/pdf"
        assert answer["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''Fiche%20poste%20%C3%A9t%C3%A9.pdf" in answer["Content-Disposition"]
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in answer["Cache-Control"]


def test_a_file_missing_on_disk_gives_a_french_message(client, draft, member, attached):
    default_storage.delete(attached.file.name)
    client.force_login(member)
    answer = client.get(reverse("responses:attachment_download", args=[attached.pk]))
    assert answer["Location"] == reverse("responses:section", args=[draft.pk, 1])
    page = client.get(answer["Location"]).content.decode()
    assert "Le document « Fiches de poste.pdf » est introuvable sur le serveur." in page


def test_files_are_not_served_from_the_media_url(client, member, attached):
    client.force_login(member)
    assert client.get(f"/media/{attached.file.name}").status_code == NOT_FOUND


# --- Removing ------------------------------------------------------------------------------------------------


def test_without_javascript_a_document_is_removed_and_the_page_says_so(
    client, draft, member, attached, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_delete(client, attached)
    assert answer["Location"] == reverse("responses:section", args=[draft.pk, 1])
    assert not draft.attachments.exists() and not default_storage.exists(attached.file.name)
    page = client.get(answer["Location"]).content.decode()
    assert "Le document « Fiches de poste.pdf » a été retiré." in page and "Aucun document joint." in page
    event = draft.events.last()
    assert (event.kind, event.note, event.user) == (ResponseEventKind.ATTACHMENT_REMOVED, "Fiches de poste.pdf", member)


def test_with_htmx_a_removal_answers_the_list(client, draft, member, attached):
    other = attachments.attach(draft, "fiches_de_poste", pdf("Organigramme.pdf"), member)
    client.force_login(member)
    answer = post_delete(client, attached, htmx=True)
    assert answer.status_code == OK
    body = answer.content.decode()
    assert "Organigramme.pdf" in body and reverse("responses:attachment_download", args=[attached.pk]) not in body
    assert "Le document « Fiches de poste.pdf » a été retiré." in body
    assert list(draft.attachments.all()) == [other]


# --- The section page ----------------------------------------------------------------------------------------


class FormNesting(HTMLParser):
    """Records the deepest nesting of <form> elements and the ids of the forms."""

    def __init__(self):
        super().__init__()
        self.depth = self.deepest = 0
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
            self.ids.add(dict(attrs).get("id"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def test_the_section_page_lists_documents_under_evidence_questions_only(client, draft, admin, attached):
    client.force_login(admin)
    page = section_page(client, draft)
    assert page.count("Joindre un document (facultatif)") == 1
    assert 'id="file-fiches_de_poste" name="file" form="attach-fiches_de_poste"' in page
    assert "Formats acceptés : PDF, image JPEG ou PNG, document texte ou tableur" in page
    assert "10 Mo au plus par fichier, 5 documents au plus pour cette question." in page
    assert 'accept=".pdf,.png,.jpg,.jpeg,.odt,.ods,.docx,.xlsx,.doc,.xls"' in page
    assert "Fiches de poste.pdf" in page and "— ajouté par Alice Durand le " in page
    assert reverse("responses:attachment_delete", args=[attached.pk]) in page
    assert 'id="file-organigramme"' not in page
    # A section without evidence question has no upload control at all.
    assert "Joindre un document" not in section_page(client, draft, 2)


def test_the_documents_forms_are_never_nested_in_the_section_form(client, draft, admin, attached):
    client.force_login(admin)
    parser = FormNesting()
    parser.feed(section_page(client, draft))
    assert parser.deepest == 1
    assert {"attach-fiches_de_poste", "detach-fiches_de_poste"} <= parser.ids


def test_autosave_still_works_beside_the_documents(client, draft, member, attached):
    client.force_login(member)
    data = {"question": "fiches_de_poste", "fiches_de_poste": "3", "rev-fiches_de_poste": 0}
    answer = client.post(reverse("responses:save", args=[draft.pk]), data, **HTMX)
    assert answer.status_code == OK and 'data-state="saved"' in answer.content.decode()
    assert Response.objects.get(pk=draft.pk).answers == {"fiches_de_poste": 3}
    # The autosaved part of the card ends before the documents: choosing a file never posts the answer.
    page = section_page(client, draft)
    autosaved = page.index('data-autosave hx-post="')
    documents = page.index("data-attachments")
    assert autosaved < documents
    assert page.count("data-autosave") == 3


def test_a_submitted_response_shows_its_documents_read_only(client, draft, member, attached):
    services.submit(draft, member)
    client.force_login(member)
    page = section_page(client, draft)
    assert "Fiches de poste.pdf" in page
    assert reverse("responses:attachment_download", args=[attached.pk]) in page
    assert "Retirer" not in page and "Joindre un document" not in page and 'type="file"' not in page


def test_coordinators_see_the_documents_of_a_draft_without_changing_them(client, draft, coordinator, attached):
    client.force_login(coordinator)
    page = section_page(client, draft)
    assert reverse("responses:attachment_download", args=[attached.pk]) in page
    assert "Retirer" not in page and 'type="file"' not in page


def test_a_question_revealed_by_an_answer_comes_with_its_documents(client, structure, admin):
    version = services.publish(EVIDENCE)[0]
    response = services.start(version, structure, admin, variant="tpe")
    services.save_answers(response, {"plan": "yes"}, 0, admin)
    attachments.attach(response, "plan_bilan", pdf("Bilan 2024.pdf"), admin)
    services.save_answers(response, {"plan": "no"}, 1, admin)
    client.force_login(admin)
    data = {"question": "plan", "plan": "yes", "rev-plan": 2}
    body = client.post(reverse("responses:save", args=[response.pk]), data, **HTMX).content.decode()
    assert '<div id="q-plan_bilan" class="question-slot" hx-swap-oob="true">' in body
    assert "Bilan 2024.pdf" in body and 'form="attach-plan_bilan"' in body


def test_the_section_page_has_the_forms_of_hidden_evidence_questions(client, structure, admin):
    version = services.publish(EVIDENCE)[0]
    response = services.start(version, structure, admin, variant="tpe")
    client.force_login(admin)
    page = section_page(client, response)
    assert '<div id="q-plan_bilan" class="question-slot" hidden>' in page
    assert 'id="attach-plan_bilan"' in page  # ready for when an answer reveals the question
    assert 'id="attach-cartographie"' not in page  # a pme question


def _definition(questions):
    return {
        "code": "pieces",
        "title": "Beaucoup de pièces",
        "sections": [
            {
                "title": "Preuves",
                "questions": [
                    {"name": f"q{n}", "type": "short_text", "label": f"Question {n}", "evidence": True}
                    for n in range(questions)
                ],
            }
        ],
    }


@pytest.mark.parametrize("submitted", [False, True])
def test_the_section_page_runs_a_constant_number_of_queries(client, structure, admin, submitted, db):
    def visit(questions, per_question):
        version = services.publish(_definition(questions))[0]
        response = services.start(version, structure, admin)
        for n in range(questions):
            for k in range(per_question):
                attachments.attach(response, f"q{n}", pdf(f"piece-{k}.pdf"), employer(structure))
        if submitted:
            services.submit(response, admin)
        client.force_login(admin)
        url = reverse("responses:section", args=[response.pk, 1])
        client.get(url)  # warm the session
        page = client.get(url).content.decode()
        assert page.count("piece-") >= questions * per_question
        return count_queries(lambda: client.get(url))

    few = visit(1, 1)
    many = visit(6, 3)
    assert few > 0 and many == few


# --- In a real browser ---------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_in_a_browser_a_document_is_sent_when_chosen_refused_with_its_reason_and_removed(
    browser, live_server, transactional_db, tmp_path
):
    from playwright.sync_api import expect

    from tests.browser import assert_accessible, login

    version = services.publish(SAMPLE)[0]
    structure = StructureFactory(name="Centre social Bastide", headcount_band="02")
    alice = employer(structure, email="alice@bastide.fr", first_name="Alice", last_name="Durand")
    response = services.start(version, structure, alice, variant="tpe")
    good, bad = tmp_path / "Fiches de poste.pdf", tmp_path / "Organigramme.docx"
    good.write_bytes(PDF)
    bad.write_bytes(PDF)
    # The real Content-Security-Policy: nothing here needs an inline script.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        login(page, alice.email, "mot-de-passe-solide-42")
        page.goto(f"/reponses/{response.pk}/section/1/")
        documents = page.locator("#attachments-fiches_de_poste")
        status = page.locator("#attachment-status-fiches_de_poste")
        expect(page.get_by_role("button", name="Joindre le document")).to_be_hidden()  # sent as soon as chosen

        page.get_by_label("Joindre un document (facultatif)").set_input_files(good)
        expect(status).to_contain_text("Le document « Fiches de poste.pdf » a été joint.")
        expect(documents.get_by_role("link", name="Fiches de poste.pdf")).to_be_visible()
        expect(page.get_by_label("Joindre un document (facultatif)")).to_have_value("")
        assert_accessible(page)

        page.get_by_label("Joindre un document (facultatif)").set_input_files(bad)
        expect(status).to_contain_text("ce n'est pas un document Word")
        assert response.attachments.count() == 1

        with page.expect_download() as download:
            documents.get_by_role("link", name="Fiches de poste.pdf").click()
        assert download.value.suggested_filename == "Fiches de poste.pdf"

        # Answering the question beside its documents still autosaves it.
        page.get_by_role("radio", name="Une fiche par poste").check()
        expect(page.locator("#status-fiches_de_poste")).to_contain_text("Enregistré à")

        documents.get_by_role("button", name="Retirer le document « Fiches de poste.pdf »").click()
        expect(status).to_contain_text("Le document « Fiches de poste.pdf » a été retiré.")
        expect(documents).to_contain_text("Aucun document joint.")
        assert not response.attachments.exists()
        assert Response.objects.get(pk=response.pk).answers == {"fiches_de_poste": 2}
    finally:
        context.close()
