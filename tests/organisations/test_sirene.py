"""The SIRENE parsing and mapping logic (horizon.organisations.sirene), without the database."""

import csv
import io
import random
import zipfile
from pathlib import Path

import pytest

from horizon.organisations import sirene, stockfiles
from horizon.territories.geo import lambert93_to_wgs84

FIXTURES = Path(__file__).parent / "fixtures" / "sirene"
ETABS_CSV = FIXTURES / "StockEtablissement_test.csv"
UNITS_CSV = FIXTURES / "StockUniteLegale_test.csv"
BORDEAUX_POINT = (44.83802, -0.579635)


def etab_row(**values):
    row = dict.fromkeys(sirene.ETAB_COLUMNS, "")
    row.update(
        siren="775672272",
        siret="77567227200017",
        etatAdministratifEtablissement="A",
        codeCommuneEtablissement="33063",
        codePostalEtablissement="33000",
        etablissementSiege="true",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DES LILAS",
        activitePrincipaleEtablissement="88.99B",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
        trancheEffectifsEtablissement="11",
        anneeEffectifsEtablissement="2022",
    )
    row.update(values)
    return [row[name] for name in sirene.ETAB_COLUMNS]


def unit_row(**values):
    row = dict.fromkeys(sirene.UNIT_COLUMNS, "")
    row.update(
        siren="775672272",
        etatAdministratifUniteLegale="A",
        economieSocialeSolidaireUniteLegale="O",
        denominationUniteLegale="ASSOCIATION EXEMPLE",
        categorieJuridiqueUniteLegale="9220",
    )
    row.update(values)
    return [row[name] for name in sirene.UNIT_COLUMNS]


ETAB_COLS = sirene.EtabColumns({name: i for i, name in enumerate(sirene.ETAB_COLUMNS)})
UNIT_COLS = sirene.UnitColumns({name: i for i, name in enumerate(sirene.UNIT_COLUMNS)})
UNIT = sirene.Unit(name="ASSOCIATION EXEMPLE", rna="W332001234", legal_category="9220")
LOOKUPS = sirene.Lookups(
    communes={"33063": BORDEAUX_POINT, "97411": (-20.8823, 55.4504)},
    legal_categories=frozenset({"9220"}),
    naf_codes=frozenset({"88.99B"}),
    to_wgs84=lambert93_to_wgs84,
)


# --- values ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "repetition", "street_type", "street_name", "expected"),
    [
        ("12", "B", "RUE", "DES LILAS", "12 bis Rue des Lilas"),
        ("5", "", "AV", "DU GENERAL DE GAULLE", "5 Avenue du General de Gaulle"),
        ("3", "T", "BD", "DE LA REPUBLIQUE", "3 ter Boulevard de la Republique"),
        ("", "", "CHE", "DE LA PALU", "Chemin de la Palu"),
        ("007", "", "PL", "GAMBETTA", "7 Place Gambetta"),
        ("8", "", "CRS", "DE L'INTENDANCE", "8 Cours de l'Intendance"),
        ("1", "", "ALL", "SAINT-JEAN-D'ANGELY", "1 Allée Saint-Jean-d'Angely"),
        ("", "", "RTE", "DE TOULOUSE", "Route de Toulouse"),
        ("", "", "IMP", "DES FLEURS", "Impasse des Fleurs"),
        ("", "", "QUA", "DU LAC", "Quartier du Lac"),
        ("", "", "", "LE BOURG", "Le Bourg"),
        ("", "", "", "L'EGLISE", "L'Eglise"),
        ("2", "A", "XYZ", "DES PINS", "2 A Xyz des Pins"),
        ("", "", "", "", ""),
    ],
)
def test_build_address(number, repetition, street_type, street_name, expected):
    assert sirene.build_address(number, repetition, street_type, street_name) == expected


@pytest.mark.parametrize(
    ("text", "first", "expected"),
    [
        ("BATIMENT A", True, "Batiment A"),
        ("DES LILAS", False, "des Lilas"),
        ("DES LILAS", True, "Des Lilas"),
        ("SAINT-MARTIN-DE-RE", True, "Saint-Martin-de-Re"),
        ("RESIDENCE  LES PINS", True, "Residence les Pins"),
        ("", True, ""),
    ],
)
def test_title_fr(text, first, expected):
    assert sirene.title_fr(text, first=first) == expected


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ("417189.5", "6422060.3", (417189.5, 6422060.3)),
        ("", "", None),
        ("417189.5", "", None),
        ("[ND]", "[ND]", None),
    ],
)
def test_parse_lambert(x, y, expected):
    assert sirene.parse_lambert(x, y) == expected


@pytest.mark.parametrize(("x", "y"), [("12abc", "6421000"), ("417189.5", "nan"), ("inf", "6421000"), ("1,5", "2")])
def test_parse_lambert_rejects_values_that_are_not_numbers(x, y):
    with pytest.raises(sirene.RowRejected, match="coordonnées Lambert invalides"):
        sirene.parse_lambert(x, y)


@pytest.mark.parametrize(
    ("x", "y", "plausible"),
    [
        (417189.5, 6422060.3, True),  # Bordeaux
        (652000.0, 6862000.0, True),  # Paris
        (1220000.0, 6110000.0, True),  # Corsica
        (0.0, 0.0, False),
        (340000.0, 7690000.0, False),  # Réunion, UTM 40S
        (650000.0, 1780000.0, False),  # Guadeloupe, UTM 20N
    ],
)
def test_plausible_lambert93(x, y, plausible):
    assert sirene.plausible_lambert93(x, y) is plausible


@pytest.mark.parametrize(
    ("x", "y", "commune", "point", "expected"),
    [
        ("417189.5", "6422060.3", "33063", BORDEAUX_POINT, (44.84, -0.58)),
        ("", "", "33063", BORDEAUX_POINT, BORDEAUX_POINT),
        ("0", "0", "33063", BORDEAUX_POINT, BORDEAUX_POINT),
        ("417189.5", "6422060.3", "97411", (-20.8823, 55.4504), (-20.8823, 55.4504)),
        ("", "", "33063", (None, None), (None, None)),
    ],
)
def test_locate(x, y, commune, point, expected):
    latitude, longitude = sirene.locate(x, y, commune, point, lambert93_to_wgs84)
    if expected[0] is None:
        assert (latitude, longitude) == expected
    else:
        assert latitude == pytest.approx(expected[0], abs=1e-5)
        assert longitude == pytest.approx(expected[1], abs=1e-5)


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("33063", True),
        ("24322", True),
        ("97411", True),  # overseas: 3-character département
        ("97105", False),
        ("2A004", True),
        ("75056", False),
        ("", False),
    ],
)
def test_territory_contains(code, inside):
    assert sirene.Territory({"33", "24", "974", "2A"}).contains(code) is inside


@pytest.mark.parametrize(("code", "expected"), [(" 33 ", "33"), ("2a", "2A"), ("1", "01"), ("974", "974")])
def test_normalize_departement(code, expected):
    assert sirene.normalize_departement(code) == expected


# --- reading --------------------------------------------------------------------------------------------------


def records(text, **options):
    """(line, record text) of a file's content (the file has no header here: its first line is line 2)."""
    stream = io.BytesIO(text.encode())
    return [(line, stockfiles.decode(record)) for line, record in stockfiles.iter_records(stream, **options)]


def test_iter_records_joins_quoted_newlines_and_counts_physical_lines():
    assert records('a,b\nc,"d\ne",f\ng,h\r\n') == [(2, "a,b"), (3, 'c,"d\ne",f'), (5, "g,h")]


def test_iter_records_gives_up_on_an_unclosed_quote_and_resumes_on_the_next_line():
    got = records('a,"b\nc,d\ne,f\n', max_record_size=5)
    assert got == [(2, 'a,"b'), (3, "c,d"), (4, "e,f")]
    with pytest.raises(csv.Error):
        stockfiles.split_record(got[0][1])
    assert records('a,"b\nc,d\n') == [(2, 'a,"b'), (3, "c,d")]  # still open at the end of the file


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 64, 1 << 20])
def test_iter_records_does_not_depend_on_the_block_size(chunk_size):
    text = 'a,b\r\n"c\r\nd",e\r\n\r\nf,"g,""h"""\r\ni,j'
    assert records(text, chunk_size=chunk_size) == [
        (2, "a,b"),
        (3, '"c\nd",e'),
        (5, ""),
        (6, 'f,"g,""h"""'),
        (7, "i,j"),
    ]


def test_a_line_without_end_is_cut_into_records_of_bounded_size():
    got = records("x" * 50, chunk_size=8, max_record_size=16)
    assert "".join(text for _, text in got) == "x" * 50
    assert max(len(text) for _, text in got) <= 24


@pytest.mark.parametrize("text", ["a,b,,c", 'a,"b,c",d', 'a,"say ""hi""",c', '"x\ny",z', ",,"])
def test_split_record_reads_like_the_csv_module(text):
    assert stockfiles.split_record(text) == next(csv.reader([text]))


def test_the_record_reader_agrees_with_the_csv_module_on_the_fixture():
    with ETABS_CSV.open(newline="", encoding="utf-8") as f:
        expected = list(csv.reader(f))[1:]
    for chunk_size in (97, 1 << 20):
        with ETABS_CSV.open("rb") as f:
            f.readline()
            got = [
                stockfiles.split_record(stockfiles.decode(record))
                for _, record in stockfiles.iter_records(f, chunk_size=chunk_size)
            ]
        assert got == expected


def test_stock_file_maps_columns_by_name(tmp_path):
    path = tmp_path / "reordered.csv"
    path.write_text("extra,siret,siren\nx,77567227200017,775672272\n", encoding="utf-8")
    with stockfiles.StockFile(path, sirene.ETABS_LABEL, ("siren", "siret")) as stock:
        assert stock.index == {"extra": 0, "siret": 1, "siren": 2}
        assert stock.width == 3
        assert not stock.siren_first
        assert [record for _, record in stock.records()] == [b"x,77567227200017,775672272"]


def test_stock_file_reads_a_zip_without_extracting_it():
    with stockfiles.StockFile(
        FIXTURES / "StockEtablissement_test.zip", sirene.ETABS_LABEL, sirene.ETAB_REQUIRED
    ) as zipped:
        from_zip = list(zipped.records())
    with stockfiles.StockFile(ETABS_CSV, sirene.ETABS_LABEL, sirene.ETAB_REQUIRED) as plain:
        assert list(plain.records()) == from_zip
        assert plain.siren_first


def test_stock_file_strips_a_byte_order_mark_and_header_spaces(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffsiren ,siret\n775672272,77567227200017\n".encode())
    with stockfiles.StockFile(path, sirene.ETABS_LABEL, ("siren", "siret")) as stock:
        assert stock.index == {"siren": 0, "siret": 1}
        assert list(stock.records()) == [(2, b"775672272,77567227200017")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.csv", None, "Fichier introuvable"),
        ("vide.csv", b"", "est vide"),
        ("colonnes.csv", b"siren,nic\n1,2\n", "Colonnes obligatoires absentes du fichier des établissements"),
        ("faux.zip", b"ceci n'est pas une archive", "Archive zip illisible"),
    ],
)
def test_stock_file_refuses_unusable_files(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with (
        pytest.raises(stockfiles.SireneFileError, match=message),
        stockfiles.StockFile(path, sirene.ETABS_LABEL, sirene.ETAB_REQUIRED),
    ):
        pass


def test_stock_file_refuses_a_zip_with_two_csv_files(tmp_path):
    path = tmp_path / "deux.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "siren\n")
        archive.writestr("b.csv", "siren\n")
    with (
        pytest.raises(stockfiles.SireneFileError, match="exactement un fichier CSV"),
        stockfiles.StockFile(path, sirene.UNITS_LABEL, ("siren",)),
    ):
        pass


# --- mapping --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, sirene.Unit("ASSOCIATION EXEMPLE", None, "9220")),
        (
            {"identifiantAssociationUniteLegale": "w332001234"},
            sirene.Unit("ASSOCIATION EXEMPLE", "W332001234", "9220"),
        ),
        (
            {"identifiantAssociationUniteLegale": "W12"},
            sirene.Unit("ASSOCIATION EXEMPLE", None, "9220", rna_invalid=True),
        ),
        (
            {"denominationUniteLegale": "", "nomUniteLegale": "DURAND", "prenom1UniteLegale": "MARIE"},
            sirene.Unit("MARIE DURAND", None, "9220"),
        ),
        (
            {
                "denominationUniteLegale": "[ND]",
                "nomUniteLegale": "DURAND",
                "nomUsageUniteLegale": "MARTIN",
                "prenom1UniteLegale": "MARIE",
                "prenomUsuelUniteLegale": "MARIE-LOU",
            },
            sirene.Unit("MARIE-LOU MARTIN", None, "9220"),
        ),
        ({"economieSocialeSolidaireUniteLegale": "N"}, None),
        ({"economieSocialeSolidaireUniteLegale": ""}, None),
        ({"etatAdministratifUniteLegale": "C"}, None),
    ],
)
def test_map_unit(values, expected):
    assert sirene.map_unit(unit_row(**values), UNIT_COLS) == expected


def test_map_establishment_builds_the_structure_fields():
    row = etab_row(
        indiceRepetitionEtablissement="B",
        complementAdresseEtablissement="BATIMENT A",
        enseigne1Etablissement="LES PETITS DEBROUILLARDS",
        coordonneeLambertAbscisseEtablissement="417189.5",
        coordonneeLambertOrdonneeEtablissement="6422060.3",
    )
    record = sirene.map_establishment(row, ETAB_COLS, UNIT, LOOKUPS, line=7)
    assert record.line == 7
    assert record.siret == "77567227200017"
    assert record.warnings == []
    fields = record.fields
    assert fields == {
        "name": "ASSOCIATION EXEMPLE",
        "usual_name": "LES PETITS DEBROUILLARDS",
        "rna": "W332001234",
        "legal_category_id": "9220",
        "naf_id": "88.99B",
        "headcount_band": "11",
        "headcount_year": 2022,
        "address": "12 bis Rue des Lilas",
        "address_complement": "Batiment A",
        "postal_code": "33000",
        "commune_id": "33063",
        "latitude": fields["latitude"],
        "longitude": fields["longitude"],
        "is_head_office": True,
        "is_active": True,
    }
    assert fields["latitude"] == pytest.approx(44.84, abs=1e-5)
    assert fields["longitude"] == pytest.approx(-0.58, abs=1e-5)


@pytest.mark.parametrize(
    ("values", "field", "expected", "warning"),
    [
        ({"etablissementSiege": "false"}, "rna", None, None),  # the RNA goes on the head office only
        ({"etablissementSiege": "false"}, "is_head_office", False, None),
        ({"trancheEffectifsEtablissement": "XX"}, "headcount_band", "", "headcount_band"),
        ({"trancheEffectifsEtablissement": "NN"}, "headcount_band", "NN", None),
        ({"anneeEffectifsEtablissement": "22"}, "headcount_year", None, "headcount_year"),
        ({"activitePrincipaleEtablissement": "16.23Z"}, "naf_id", None, "naf"),
        ({"nomenclatureActivitePrincipaleEtablissement": "NAFRev1"}, "naf_id", None, "naf_nomenclature"),
        ({"activitePrincipaleEtablissement": ""}, "naf_id", None, None),
        ({"codePostalEtablissement": "CEDEX"}, "postal_code", "", None),
        ({"enseigne1Etablissement": "", "denominationUsuelleEtablissement": "PETITS"}, "usual_name", "PETITS", None),
        ({"enseigne1Etablissement": "association exemple"}, "usual_name", "", None),
        ({"coordonneeLambertAbscisseEtablissement": ""}, "latitude", BORDEAUX_POINT[0], None),
    ],
)
def test_map_establishment_values(values, field, expected, warning):
    record = sirene.map_establishment(etab_row(**values), ETAB_COLS, UNIT, LOOKUPS)
    assert record.fields[field] == expected
    assert [kind for kind, _ in record.warnings] == ([warning] if warning else [])


def test_map_establishment_warns_about_an_unknown_legal_category_and_a_malformed_rna():
    unit = sirene.Unit(name="FONDATION", rna=None, legal_category="9999", rna_invalid=True)
    record = sirene.map_establishment(etab_row(), ETAB_COLS, unit, LOOKUPS)
    assert record.fields["legal_category_id"] is None
    assert record.fields["rna"] is None
    assert sorted(kind for kind, _ in record.warnings) == ["legal_category", "rna"]


def test_map_establishment_accepts_la_poste_sirets():
    row = etab_row(siren="356000000", siret="35600000049837")
    assert sirene.map_establishment(row, ETAB_COLS, UNIT, LOOKUPS).siret == "35600000049837"


@pytest.mark.parametrize(
    ("values", "unit", "reason"),
    [
        ({"siret": "77567227200018"}, UNIT, "SIRET invalide"),
        ({"siret": "7756722720001"}, UNIT, "SIRET invalide"),
        ({"siret": "44306184100013"}, UNIT, "incohérent avec le SIREN"),
        ({"codeCommuneEtablissement": "33999"}, UNIT, r"code commune inconnu \(33999\)"),
        ({}, sirene.Unit(name="", rna=None, legal_category="9220"), "nom absent"),
        ({"coordonneeLambertAbscisseEtablissement": "12abc"}, UNIT, "coordonnées Lambert invalides"),
    ],
)
def test_map_establishment_rejects(values, unit, reason):
    with pytest.raises(sirene.RowRejected, match=reason):
        sirene.map_establishment(etab_row(**values), ETAB_COLS, unit, LOOKUPS)


# --- passes ---------------------------------------------------------------------------------------------------


def test_the_three_passes_on_the_fixture_files():
    report = sirene.ImportReport()
    territory = sirene.Territory({"33", "24", "974"})
    etabs = stockfiles.StockFile(ETABS_CSV, sirene.ETABS_LABEL, sirene.ETAB_REQUIRED)
    units_file = stockfiles.StockFile(UNITS_CSV, sirene.UNITS_LABEL, sirene.UNIT_REQUIRED)
    with etabs:
        wanted = sirene.collect_candidate_sirens(etabs, territory, report)
    assert report.read == 18
    assert wanted == {
        b"775672272",
        b"443061841",
        b"521873315",
        b"356000000",
        b"823456785",
        b"849123450",
        b"512345679",
        b"512345687",
    }
    with units_file:
        units = sirene.load_units(units_file, wanted, report)
    assert report.read_units == 9
    assert report.rejected_units == 1
    assert set(units) == {"775672272", "443061841", "356000000", "823456785", "849123450", "512345679"}

    lookups = sirene.Lookups(
        communes={"33063": BORDEAUX_POINT, "24322": (45.18, 0.72), "97411": (-20.88, 55.45)},
        legal_categories=frozenset({"9220", "5458"}),
        naf_codes=frozenset({"88.99B", "94.99Z"}),
        to_wgs84=lambert93_to_wgs84,
    )
    registry = {"77567227200033": True, "40101250500012": False}
    with etabs:
        items = list(sirene.iter_in_scope(etabs, territory, units, registry, lookups, report))
    records = [item for item in items if isinstance(item, sirene.Record)]
    assert [record.line for record in records] == [2, 3, 5, 12, 13, 15, 17]
    assert [item for item in items if isinstance(item, sirene.Closure)] == [sirene.Closure(4, "77567227200033")]
    assert report.unchanged == 1  # the closed establishment already inactive in the registry
    assert [line.split(" :")[0] for line in report.details["rejected"]] == [
        "! ligne 9",
        "! unités légales, ligne 10",
        "! ligne 10",
        "! ligne 11",
        "! ligne 14",
        "! ligne 16",
        "! ligne 19",
    ]
    assert records[-1].fields["address_complement"] == "Batiment C, 2e Etage Porte 3"


def test_report_caps_details_but_keeps_counting():
    report = sirene.ImportReport(limit=2)
    for line in range(5):
        report.reject(line, "raison")
    assert report.rejected == 5
    assert len(report.details["rejected"]) == 2
    assert report.hidden["rejected"] == 3


def test_stock_file_can_be_read_twice():
    stock = stockfiles.StockFile(UNITS_CSV, sirene.UNITS_LABEL, sirene.UNIT_REQUIRED)
    with stock:
        first = sum(1 for _ in stock.records())
    with stock:
        second = sum(1 for _ in stock.records())
    assert first == second == 9


@pytest.mark.parametrize("seed", range(5))
def test_the_block_reader_agrees_with_the_csv_module_on_random_files(seed):
    rng = random.Random(seed)
    alphabet = ["a", "B", "1", ",", '"', "\n", " ", "é"]  # a CRLF inside a quoted value would come out as LF
    rows = [["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(4)] for _ in range(300)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
    text = buffer.getvalue()
    for chunk_size in (1, 13, 256, 1 << 20):
        got = [stockfiles.split_record(record) for _, record in records(text, chunk_size=chunk_size)]
        assert got == list(csv.reader(io.StringIO(text, newline="")))
