"""XLSX export of a questionnaire's responses: one row per response, stable column names, the version of each
row, answers by question name (every version's questions, the latest version's order first)."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

from .definition import questions
from .models import QuestionnaireVersion, Response

FIXED_COLUMNS = ["reponse_id", "version", "variante", "etat", "siret", "structure", "commence_le", "envoye_le"]


def _cell(value):
    if isinstance(value, list):
        return " ; ".join(str(item) for item in value)
    return value


def _local(moment):
    """Spreadsheets have no time zones: the Paris time of the moment."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def question_columns(code):
    names = []
    for version in QuestionnaireVersion.objects.filter(code=code).order_by("-number"):
        names += [q["name"] for q in questions(version.content) if q["name"] not in names]
    return names


def responses_workbook(code, responses=None):
    """The workbook as bytes; `responses` narrows the rows (default: every response to the questionnaire)."""
    responses = (responses if responses is not None else Response.objects.filter(version__code=code)).select_related(
        "version", "structure"
    )
    names = question_columns(code)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Réponses")
    sheet.append(FIXED_COLUMNS + names)
    for response in responses.order_by("pk").iterator(chunk_size=1000):
        structure = response.structure
        sheet.append(
            [
                response.pk,
                response.version.number,
                response.variant,
                response.get_status_display(),
                structure.siret if structure else "",
                structure.name if structure else "",
                _local(response.created_at),
                _local(response.submitted_at),
                *[_cell(response.answers.get(name)) for name in names],
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
