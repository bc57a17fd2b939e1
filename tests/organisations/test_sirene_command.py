"""`manage.py import_sirene` against the database, with the hand-written stock files of fixtures/sirene."""

import csv
import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from horizon.organisations.enums import ChangeAction, StructureSource
from horizon.organisations.management.commands import import_sirene
from horizon.organisations.models import Structure, StructureChange
from horizon.referentials.enums import EssFamily
from tests.factories.organisations import CollectiveFactory, ContactFactory, MembershipFactory, StructureFactory
from tests.factories.referentials import CollectiveAgreementFactory, LegalCategoryFactory, NafCodeFactory
from tests.factories.territories import CommuneFactory, DepartementFactory, RegionFactory

FIXTURES = Path(__file__).parent / "fixtures" / "sirene"
UNITS = FIXTURES / "StockUniteLegale_test.csv"
ETABS = FIXTURES / "StockEtablissement_test.csv"
CREATED_SIRETS = {
    "77567227200017",  # head office, Bordeaux
    "77567227200025",  # secondary establishment, Périgueux
    "44306184100013",  # SCOP
    "35600000049837",  # La Poste
    "82345678500018",  # unknown legal category
    "51234567900017",  # Réunion
    "44306184100054",  # quoted complement over two lines
}


@pytest.fixture
def territories(db):
    bordeaux = CommuneFactory()
    perigueux = CommuneFactory(
        code="24322",
        name="Périgueux",
        departement=DepartementFactory(code="24", name="Dordogne"),
        epci=None,
        population=29896,
        latitude=45.1846,
        longitude=0.7214,
    )
    reunion = DepartementFactory(code="974", name="La Réunion", region=RegionFactory(code="04", name="La Réunion"))
    saint_denis = CommuneFactory(
        code="97411", name="Saint-Denis", departement=reunion, epci=None, latitude=-20.8823, longitude=55.4504
    )
    LegalCategoryFactory()
    LegalCategoryFactory(code="5458", label="SARL coopérative ouvrière de production", ess_family=EssFamily.COOPERATIVE)
    NafCodeFactory()
    NafCodeFactory(code="94.99Z", label="Autres organisations fonctionnant par adhésion volontaire")
    return {"bordeaux": bordeaux, "perigueux": perigueux, "saint_denis": saint_denis}


def run(*extra, units=UNITS, etabs=ETABS, territory=("--departements", "33,24,974"), verbosity=1):
    out = io.StringIO()
    call_command(
        "import_sirene",
        "--unites-legales",
        str(units),
        "--etablissements",
        str(etabs),
        *territory,
        *extra,
        verbosity=verbosity,
        stdout=out,
    )
    return out.getvalue()


def count(output, label):
    line = next(line for line in output.splitlines() if line.strip().startswith(label))
    return int(line.rsplit(".", 1)[1].split()[0].replace(" ", ""))


def test_dry_run_computes_the_diff_and_writes_nothing(territories):
    output = run()
    assert Structure.objects.count() == 0
    assert StructureChange.objects.count() == 0
    assert "Import SIRENE (simulation)" in output
    assert "Territoire : départements 24, 33, 974" in output
    assert "18 établissements, 9 unités légales" in output
    assert count(output, "Créées") == 7
    assert count(output, "Hors périmètre") == 5
    assert count(output, "Rejetées") == 7
    assert output.rstrip().endswith("Simulation : rien n'a été enregistré. Relancez avec --wet-run pour enregistrer.")


def test_wet_run_creates_the_in_scope_establishments(territories):
    output = run("--wet-run")
    assert set(Structure.objects.values_list("siret", flat=True)) == CREATED_SIRETS
    assert count(output, "Créées") == 7
    assert count(output, "Mises à jour") == 0

    head = Structure.objects.get(siret="77567227200017")
    assert head.name == "ASSOCIATION LES PETITS DEBROUILLARDS AQUITAINE"
    assert head.usual_name == "LES PETITS DEBROUILLARDS"
    assert head.siren == "775672272"
    assert head.rna == "W332001234"
    assert head.legal_category_id == "9220"
    assert head.naf_id == "88.99B"
    assert (head.headcount_band, head.headcount_year) == ("11", 2022)
    assert head.address == "12 bis Rue des Lilas"
    assert head.address_complement == "Batiment A"
    assert (head.postal_code, head.commune_id) == ("33000", "33063")
    assert head.latitude == pytest.approx(44.84, abs=1e-4)
    assert head.longitude == pytest.approx(-0.58, abs=1e-4)
    assert head.is_head_office and head.is_active
    assert head.source == StructureSource.SIRENE
    assert (
        head.search_text
        == "association les petits debrouillards aquitaine les petits debrouillards bordeaux 33000 w332001234"
    )
    assert Structure.objects.search("debrouillards").count() == 2

    secondary = Structure.objects.get(siret="77567227200025")
    assert secondary.rna is None  # the RNA is the unit's: on its head office only
    assert secondary.headcount_band == ""  # "XX" is not a tranche
    assert secondary.address == "5 Avenue du General de Gaulle"
    assert (secondary.latitude, secondary.longitude) == (45.1846, 0.7214)  # no coordinates: the commune's point
    assert not secondary.is_head_office

    reunion = Structure.objects.get(siret="51234567900017")
    assert (reunion.latitude, reunion.longitude) == (-20.8823, 55.4504)  # not Lambert-93 overseas
    assert reunion.rna is None  # "W9R1234567" is not an RNA number

    unknown = Structure.objects.get(siret="82345678500018")
    assert unknown.legal_category_id is None
    assert unknown.naf_id is None
    scop = Structure.objects.get(siret="44306184100013")
    assert scop.naf_id is None  # 16.23Z is not in the referential
    assert scop.usual_name == ""  # "[ND]": not diffusible
    assert Structure.objects.get(siret="44306184100054").address_complement == "Batiment C, 2e Etage Porte 3"

    history = StructureChange.objects.filter(structure=head).get()
    assert history.action == ChangeAction.CREATED
    assert history.note == "Import SIRENE"
    assert history.changes == {}  # the creation's values are the structure's own fields
    assert history.created_at == head.created_at
    assert StructureChange.objects.count() == 7


def test_output_lists_creations_rejections_and_warnings_with_line_numbers(territories):
    output = run()
    assert "+ 77567227200017 LES PETITS DEBROUILLARDS (Bordeaux)" in output
    assert "+ 77567227200025 ASSOCIATION LES PETITS DEBROUILLARDS AQUITAINE (Périgueux)" in output
    assert "! ligne 9 : nombre de colonnes incorrect (9 au lieu de 54)" in output
    assert "! unités légales, ligne 10 : nombre de colonnes incorrect (8 au lieu de 35)" in output
    assert "! ligne 10 : SIRET invalide (44306184100022 : clé de contrôle incorrecte)" in output
    assert "! ligne 11 : code commune inconnu (33999)" in output
    assert "! ligne 14 : nom absent pour le SIRET 84912345000017" in output
    assert "! ligne 16 : coordonnées Lambert invalides (12abc ; 6421000)" in output
    assert "! ligne 19 : SIRET 77567227200017 en double dans le fichier" in output
    assert "catégorie juridique inconnue du référentiel (laissée vide) : 2 (5510, 9999)" in output
    assert "code NAF inconnu du référentiel (laissé vide) : 2 (16.23Z, 53.10Z)" in output
    assert "tranche d'effectif invalide (laissée vide) : 1 (XX)" in output
    assert "numéro RNA mal formé (ignoré) : 2 (823456785, 512345679)" in output
    assert "NAF rév. 2 (laissée vide) : 1 (85.3E (NAFRev1))" in output


def test_details_are_capped_unless_verbosity_2(territories):
    capped = run("--max-details", "2")
    assert "… et 5 autres (--verbosity 2 pour tout afficher)" in capped
    assert capped.count("\n  + ") == 2
    full = run("--max-details", "2", verbosity=2)
    assert full.count("\n  + ") == 7
    assert "autres" not in full


def test_a_second_wet_run_changes_nothing(territories):
    run("--wet-run")
    output = run("--wet-run")
    assert count(output, "Créées") == 0
    assert count(output, "Mises à jour") == 0
    assert count(output, "Inchangées") == 7
    assert StructureChange.objects.count() == 7


def test_zipped_files_give_the_same_result(territories):
    output = run(
        "--wet-run", units=FIXTURES / "StockUniteLegale_test.zip", etabs=FIXTURES / "StockEtablissement_test.zip"
    )
    assert count(output, "Créées") == 7
    assert set(Structure.objects.values_list("siret", flat=True)) == CREATED_SIRETS


def test_columns_are_mapped_by_name_whatever_their_order(territories, tmp_path):
    with ETABS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    order = list(reversed(range(len(header))))
    reordered = tmp_path / "etablissements.csv"
    with reordered.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["colonneEnPlus", *[header[i] for i in order]])
        for row in rows[1:]:
            # the malformed row keeps its short length
            writer.writerow(["x", *[row[i] for i in order]] if len(row) == len(header) else row)
    output = run("--wet-run", etabs=reordered)
    assert count(output, "Créées") == 7
    assert Structure.objects.get(siret="77567227200017").address == "12 bis Rue des Lilas"


def test_region_option_takes_all_its_departements(territories):
    output = run("--wet-run", territory=("--region", "75"))
    assert "région Nouvelle-Aquitaine (75)" in output
    assert set(Structure.objects.values_list("siret", flat=True)) == CREATED_SIRETS - {"51234567900017"}


def test_a_change_in_the_file_updates_the_structure_with_history(territories, tmp_path):
    run("--wet-run")
    changed = tmp_path / "etablissements.csv"
    text = ETABS.read_text(encoding="utf-8")
    text = text.replace("2005-09-01,11,2022,", "2005-09-01,12,2023,", 1)
    changed.write_text(text, encoding="utf-8")
    output = run("--wet-run", etabs=changed)
    assert count(output, "Mises à jour") == 1
    assert count(output, "Inchangées") == 6
    assert (
        "~ 77567227200017 LES PETITS DEBROUILLARDS — tranche d'effectif : 11 → 12 ; année de l'effectif : 2022 → 2023"
        in output
    )
    head = Structure.objects.get(siret="77567227200017")
    assert (head.headcount_band, head.headcount_year) == ("12", 2023)
    change = StructureChange.objects.filter(structure=head, action=ChangeAction.IMPORTED).get()
    assert change.changes == {"headcount_band": ["11", "12"], "headcount_year": ["2022", "2023"]}


def test_updates_never_touch_platform_fields(territories):
    agreement = CollectiveAgreementFactory()
    structure = StructureFactory(
        siret="77567227200017",
        name="Petits Débrouillards (saisie manuelle)",
        legal_category=LegalCategoryFactory(),
        sector=agreement.sector,
        collective_agreement=agreement,
        opco="Uniformation",
        email="contact@exemple.fr",
        phone="05 56 00 00 00",
        website="https://exemple.fr",
        headcount_fte=Decimal("12.50"),
        address="ancienne adresse",
    )
    structure.collectives.add(CollectiveFactory())
    MembershipFactory(structure=structure)
    ContactFactory(structure=structure)

    output = run("--wet-run")
    assert count(output, "Mises à jour") == 1
    structure.refresh_from_db()
    assert structure.name == "ASSOCIATION LES PETITS DEBROUILLARDS AQUITAINE"
    assert structure.address == "12 bis Rue des Lilas"
    assert structure.source == StructureSource.MANUAL  # the origin stays the platform
    assert structure.sector == agreement.sector
    assert structure.collective_agreement == agreement
    assert structure.opco == "Uniformation"
    assert structure.email == "contact@exemple.fr"
    assert structure.phone == "05 56 00 00 00"
    assert structure.website == "https://exemple.fr"
    assert structure.headcount_fte == Decimal("12.50")
    assert structure.collectives.count() == 1
    assert structure.memberships.count() == 1
    assert structure.contacts.count() == 1
    assert "debrouillards" in structure.search_text
    change = StructureChange.objects.get(structure=structure)
    assert change.action == ChangeAction.IMPORTED
    assert change.changes["address"] == ["ancienne adresse", "12 bis Rue des Lilas"]
    assert "sector" not in change.changes


def test_an_establishment_closed_in_sirene_is_deactivated(territories):
    closed = StructureFactory(siret="77567227200033", name="Antenne fermée")
    output = run("--wet-run")
    closed.refresh_from_db()
    assert not closed.is_active
    assert count(output, "Fermées") == 1
    assert "- 77567227200033 Antenne fermée : fermé dans SIRENE, désactivé" in output
    change = StructureChange.objects.get(structure=closed)
    assert (change.action, change.changes) == (ChangeAction.IMPORTED, {"is_active": ["True", "False"]})

    again = run("--wet-run")
    assert count(again, "Fermées") == 0
    assert count(again, "Inchangées") == 8
    assert count(again, "Mises à jour") == 0


def test_an_inactive_structure_active_in_sirene_is_reactivated(territories):
    structure = StructureFactory(siret="44306184100013", is_active=False)
    run("--wet-run")
    structure.refresh_from_db()
    assert structure.is_active


def test_an_association_known_by_its_rna_only_receives_its_siret(territories):
    association = StructureFactory(without_siret=True, rna="W332001234", name="Les Petits Débrouillards")
    output = run("--wet-run")
    association.refresh_from_db()
    assert association.siret == "77567227200017"
    assert association.siren == "775672272"
    assert count(output, "Créées") == 6
    assert count(output, "Mises à jour") == 1
    assert StructureChange.objects.get(structure=association).changes["siret"] == ["", "77567227200017"]
    assert Structure.objects.filter(rna="W332001234").count() == 1


def test_an_rna_held_by_another_structure_is_left_out(territories):
    other = StructureFactory(rna="W332001234")
    output = run("--wet-run")
    assert Structure.objects.get(siret="77567227200017").rna is None
    other.refresh_from_db()
    assert other.rna == "W332001234"
    assert "numéro RNA déjà porté par une autre structure (ignoré) : 1 (W332001234)" in output


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_middle_leaves_nothing(territories, monkeypatch):
    StructureFactory(siret="77567227200033")
    calls = []
    original = import_sirene.SireneImport._write

    def write_then_fail(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("panne simulée")
        return original(self, *args)

    monkeypatch.setattr(import_sirene.SireneImport, "_write", write_then_fail)
    with pytest.raises(RuntimeError, match="panne simulée"):
        run("--wet-run", "--batch-size", "2")
    assert len(calls) == 2
    assert list(Structure.objects.values_list("siret", "is_active")) == [("77567227200033", True)]
    assert StructureChange.objects.count() == 0


@pytest.mark.parametrize(
    ("territory", "message"),
    [
        ((), "Indiquez le territoire à importer"),
        (("--departements", "33,99"), "Département(s) inconnu(s) : 99"),
        (("--region", "11"), "Région inconnue : 11"),
    ],
)
def test_the_territory_is_required_and_checked(territories, territory, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(territory=territory)


def test_both_files_are_required(territories):
    with pytest.raises(CommandError, match="Indiquez les deux fichiers"):
        call_command("import_sirene", "--etablissements", str(ETABS), "--departements", "33")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.csv", None, "Fichier introuvable"),
        ("casse.zip", b"PK\x03\x04 pas vraiment un zip", "Archive zip illisible"),
        ("autre.csv", b"siren,nom\n775672272,X\n", "Colonnes obligatoires absentes du fichier des établissements"),
    ],
)
def test_unusable_files_stop_the_import_before_any_write(territories, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as error:
        run("--wet-run", etabs=path)
    assert "Rien n'a été enregistré." in str(error.value)
    assert Structure.objects.count() == 0


def test_a_zip_member_that_is_not_the_expected_file_is_refused(territories, tmp_path):
    path = tmp_path / "unites.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lisez-moi.txt", "rien")
    with pytest.raises(CommandError, match="exactement un fichier CSV"):
        run("--wet-run", units=path)


def test_a_truncated_zip_stops_the_import_and_writes_nothing(territories, tmp_path):
    big = tmp_path / "StockEtablissement.csv"
    shutil.copy(ETABS, big)
    with big.open("a", encoding="utf-8") as f:
        f.writelines(f"{i:09d},00000,{i:09d}00000,O\n" for i in range(20000))
    path = tmp_path / "StockEtablissement.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(big, "StockEtablissement_utf8.csv")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # corrupt the compressed stream
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="Rien n'a été enregistré"):
        run("--wet-run", etabs=path)
    assert Structure.objects.count() == 0
