"""The Mon Compte Formation catalogue: reading both column vintages (no database), then importing it."""

from decimal import Decimal
from pathlib import Path

import pytest

from horizon.training.cpf import CpfError, CpfFile, exit_level, map_header, modality
from horizon.training.enums import OfferChangeAction
from horizon.training.feed import FormationRecord, Rejection
from horizon.training.imports import CPF_SOURCE, import_offer
from horizon.training.models import Formation, OfferChange, Provider

FIXTURES = Path(__file__).parent / "fixtures" / "cpf"
CPF_2021 = FIXTURES / "catalogue-2021.csv"  # siret, date_extract, code_inventaire, points_forts
CPF_2024 = FIXTURES / "catalogue-2024.csv"  # siret_of, date_chargement, code_rs, objectif/contenu; with a BOM


def read(path):
    with CpfFile(path) as cpf:
        return list(cpf), cpf.extract_date


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Niveau 5 (BTS, DUT, Écoles des métiers…)", "15"),
        ("niveau 8 (Doctorat…)", "18"),
        ("Sans niveau spécifique", "1"),
        ("", ""),
        ("Autre", ""),
    ],
)
def test_exit_level(label, expected):
    assert exit_level(label) == expected


@pytest.mark.parametrize(
    ("active", "distance", "expected"),
    [("3", "0", "0"), ("4", "1", "1"), ("2", "2", "2"), ("", "", "0"), ("x", "1", "0"), ("2.0", "2.0", "2")],
)
def test_modality(active, distance, expected):
    assert modality(active, distance) == expected


def test_columns_are_found_by_alias_in_any_order():
    assert map_header(["SIRET_OF", "intitule_formation", "autre", "numero_formation", "code_inventaire"]) == {
        "siret": 0,
        "intitule_formation": 1,
        "numero_formation": 3,
        "code_rs": 4,
    }


def test_a_missing_required_column_is_named():
    with pytest.raises(CpfError, match="Colonnes obligatoires absentes : siret ou siret_of"):
        map_header(["numero_formation", "intitule_formation", "nom_of"])


def test_2021_columns():
    items, extract_date = read(CPF_2021)
    assert extract_date == "2021-06-01"
    assert [(type(item).__name__, item.line) for item in items] == [
        ("FormationRecord", 2),
        ("FormationRecord", 3),
        ("Rejection", 4),
        ("Rejection", 5),
        ("Rejection", 6),
    ]
    rrh, tutor = items[0], items[1]
    assert isinstance(rrh, FormationRecord)
    assert rrh.source_id == "RRH-2021-01_77567227200017"
    assert (rrh.title, rrh.objective) == ("Responsable des ressources humaines", "Alternance possible.")
    assert rrh.provider.siret == "77567227200017"
    assert rrh.provider.name == "Les Petits Débrouillards Formation"
    assert rrh.certifications == [{"type": "RNCP", "code": "35027"}, {"type": "CERTIFINFO", "code": "108573"}]
    assert rrh.certifying is True
    assert (rrh.formacodes, rrh.nsf_codes, rrh.exit_level) == (["32032", "15041"], ["315"], "16")
    [action] = rrh.actions
    assert (action.source_id, action.cpf_eligible, action.modality, action.sessions) == ("cpf", True, "0", [])
    assert (action.hours_total, action.price_total) == (400, Decimal("4500.00"))
    assert tutor.certifications == [{"type": "RS", "code": "5214"}]  # code_inventaire
    assert tutor.actions[0].modality == "2"
    assert [item.reason for item in items[2:]] == [
        "SIRET invalide (44306184100022 : clé de contrôle incorrecte)",
        "numéro de formation absent (SIRET 77567227200017)",
        "nombre de colonnes incorrect (5 au lieu de 39)",
    ]


def test_2024_columns():
    items, extract_date = read(CPF_2024)
    assert extract_date == "2024-03-15"
    manager, quality, untitled, duplicate = items
    assert manager.source_id == "MGT-2024_44306184100013"
    assert manager.objective == "Animer une équipe."
    assert manager.content == "- Communication\n- Délégation"
    assert manager.expected_results == "Certificat de compétences"
    assert manager.certifications == [{"type": "RS", "code": "RS5678"}]  # code_rs
    assert (manager.rome_codes, manager.exit_level) == (["M1302"], "15")
    assert (manager.actions[0].modality, manager.actions[0].price_total) == ("1", Decimal("1350.00"))
    assert quality.objective == "Améliorer les conditions de travail ;\nprévenir les risques."  # a quoted field
    assert quality.line == 3
    assert untitled == Rejection("VIDE-2024_77567227200017", 5, "intitulé absent")  # after a two-line record
    assert (duplicate.source_id, duplicate.line) == (manager.source_id, 6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "est vide"),
        (b"siret,numero_formation,intitule_formation\n1,2,3\n", "points-virgules"),
        (b"nom_of;intitule_formation\nA;B\n", "Colonnes obligatoires absentes : siret ou siret_of, numero_formation"),
    ],
)
def test_files_that_cannot_be_read(tmp_path, content, message):
    path = tmp_path / "cpf.csv"
    path.write_bytes(content)
    with pytest.raises(CpfError, match=message):
        CpfFile(path).open()


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "cpf.csv"
    text = CPF_2021.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(CpfError, match="n'est pas encodé en UTF-8"), CpfFile(path) as cpf:
        list(cpf)


def test_a_missing_file_is_refused():
    with pytest.raises(CpfError, match="Fichier introuvable"):
        CpfFile("/nulle/part/cpf.csv").open()


# ---------------------------------------------------------------------------------------------------------------
# Import


def run(path, wet=True):
    with CpfFile(path) as cpf:
        return import_offer(CPF_SOURCE, cpf, wet_run=wet, label="CPF")


def test_a_dry_run_writes_nothing(db):
    report = run(CPF_2021, wet=False)
    assert report.formations.created == 2
    assert not Formation.objects.exists()
    assert not Provider.objects.exists()


def test_both_vintages_import_and_a_second_run_changes_nothing(db):
    report = run(CPF_2021)
    assert (report.formations.created, len(report.rejected)) == (2, 3)
    formation = Formation.objects.get(source="cpf", source_id="RRH-2021-01_77567227200017")
    assert formation.provider.name == "Les Petits Débrouillards Formation"
    action = formation.actions.get()
    assert (action.source_id, action.cpf_eligible, action.hours_total) == ("cpf", True, 400)
    assert not formation.sessions.exists()
    assert OfferChange.objects.filter(action=OfferChangeAction.CREATED, note="Import CPF, source « cpf »").count() == 2

    again = run(CPF_2021)
    assert (again.formations.created, again.formations.unchanged, again.actions.unchanged) == (0, 2, 2)

    later = run(CPF_2024)  # the next extraction: two formations in, the 2021 ones out
    assert (later.formations.created, later.formations.closed) == (2, 2)
    assert [rejection.line for rejection in later.rejected] == [5, 6]
    assert later.rejected[1].reason == "formation en double dans le fichier (ligne 2)"
    assert Formation.objects.get(source_id="RRH-2021-01_77567227200017").closed_at is not None
    assert Formation.objects.filter(closed_at__isnull=True).count() == 2
