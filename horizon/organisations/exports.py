"""XLSX export of the registry: stable headers, written row by row (openpyxl write-only mode)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

COLUMNS = [
    ("SIRET", lambda s: s.siret or ""),
    ("RNA", lambda s: s.rna or ""),
    ("Raison sociale", lambda s: s.name),
    ("Nom d'usage", lambda s: s.usual_name),
    ("Catégorie juridique", lambda s: s.legal_category_id or ""),
    ("Famille ESS", lambda s: s.ess_family),
    ("Code NAF", lambda s: s.naf_id or ""),
    ("Secteur du programme", lambda s: s.sector.label if s.sector_id else ""),
    ("IDCC", lambda s: s.collective_agreement_id or ""),
    ("OPCO", lambda s: s.opco),
    ("Tranche d'effectif", lambda s: s.get_headcount_band_display()),
    ("Effectif (ETP)", lambda s: float(s.headcount_fte) if s.headcount_fte is not None else None),
    ("Adresse", lambda s: s.address),
    ("Code postal", lambda s: s.postal_code),
    ("Code commune", lambda s: s.commune_id or ""),
    ("Commune", lambda s: s.commune.name if s.commune_id else ""),
    ("Département", lambda s: s.commune.departement_id if s.commune_id else ""),
    ("EPCI", lambda s: s.commune.epci.name if s.commune_id and s.commune.epci_id else ""),
    ("En activité", lambda s: "oui" if s.is_active else "non"),
]


def structures_xlsx_response(queryset):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Structures")
    sheet.append([label for label, _ in COLUMNS])
    for structure in queryset.iterator(chunk_size=2000):
        sheet.append([value(structure) for _, value in COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    filename = f"structures-{timezone.localdate():%Y-%m-%d}.xlsx"
    return HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
