"""The LHEO reader without the database: text cleaning, values, and the hand-written files of fixtures/lheo."""

import gzip
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from horizon.training import lheo
from horizon.training.feed import (
    MAX_PRICE_TOTAL,
    FormationRecord,
    Rejection,
    clean_siret,
    clean_url,
    html_to_text,
    one_line,
    parse_coordinate,
    parse_date,
    parse_hours,
    parse_price,
)
from horizon.training.lheo import LheoError, LheoFile, LheoFormatError, LheoSyntaxError

FIXTURES = Path(__file__).parent / "fixtures" / "lheo"
LHEO_23 = FIXTURES / "offre-2.3.xml"
LHEO_23_GZ = FIXTURES / "offre-2.3.xml.gz"
LHEO_22 = FIXTURES / "offre-2.2.xml"


def read(path):
    with LheoFile(path) as lheo_file:
        return list(lheo_file)


def by_id(items):
    return {item.source_id: item for item in items}


def line_of(path, text):
    """The line of the file where `text` first appears."""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


# ---------------------------------------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("-", ""),
        ("  Texte   simple  ", "Texte simple"),
        ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
        ("&lt;p&gt;Échappé une fois&lt;/p&gt;", "Échappé une fois"),
        ("&amp;lt;p&amp;gt;Échappé deux fois&amp;lt;/p&amp;gt;", "Échappé deux fois"),
        ("<p>Caf&eacute; &amp; th&#233;</p>", "Café & thé"),
        ("<ul><li>Droit</li><li>Paie</li></ul><p>Stage.</p>", "- Droit\n- Paie\n\nStage."),
        ("<P>Ligne<BR/>suivante</P>", "Ligne\nsuivante"),
        ("<p><b>Gras</b> et <span class='x'>span</span></p>", "Gras et span"),
        ("<p>Un\nparagraphe\ten HTML</p>", "Un paragraphe en HTML"),
        ("Texte brut\nsur deux lignes", "Texte brut\nsur deux lignes"),
        ("Premier\r\n\r\n\r\n\r\nSecond", "Premier\n\nSecond"),
        ("Espaces\u00a0insécables\u202fet fines", "Espaces insécables et fines"),
        ("a < b et c > d", "a < b et c > d"),
        ("<script>alert(1)</script>Reste<!-- commentaire --> ici", "Reste ici"),
        ("<table><tr><td>A</td><td>B</td></tr></table>", "A B"),
        ("<p>   </p><p>Seul</p><p></p>", "Seul"),
        ("Contrôle\x01 caché", "Contrôle caché"),
    ],
)
def test_html_to_text(value, expected):
    assert html_to_text(value) == expected


def test_html_to_text_output_has_no_tag():
    text = html_to_text("&lt;p&gt;&lt;img src=x onerror=alert(1)&gt;Bonjour&lt;/p&gt;<iframe src='x'></iframe>")
    assert text == "Bonjour"
    assert "<" not in text


@pytest.mark.parametrize(
    ("value", "max_length", "expected"),
    [
        ("Responsable   des\nressources humaines", 255, "Responsable des ressources humaines"),
        ("<b>Titre</b>", 255, "Titre"),
        ("-", 255, ""),
        ("abcdefghij", 5, "abcd…"),
    ],
)
def test_one_line(value, max_length, expected):
    assert one_line(value, max_length) == expected


# ---------------------------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20170915", (date(2017, 9, 15), "day")),
        ("20170900", (date(2017, 9, 1), "month")),
        ("20170000", (date(2017, 1, 1), "year")),
        (" 20260101 ", (date(2026, 1, 1), "day")),
        ("2026-03-02", (date(2026, 3, 2), "day")),
        ("", (None, "day")),
        (None, (None, "day")),
        ("00000000", (None, "day")),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["20171345", "20170015", "20170230", "2017091", "2017O915", "18991231", "demain"])
def test_parse_date_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError, match="date invalide"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1500", Decimal("1500.00")),
        ("1 500,50 €", Decimal("1500.50")),
        ("1.500,5", Decimal("1500.50")),
        ("12.345", Decimal("12.35")),
        ("", None),
    ],
)
def test_parse_price(value, expected):
    assert parse_price(value, MAX_PRICE_TOTAL) == expected


@pytest.mark.parametrize("value", ["gratuit", "-5", "123456789012", "NaN"])
def test_parse_price_refuses(value):
    with pytest.raises(ValueError):
        parse_price(value, MAX_PRICE_TOTAL)


@pytest.mark.parametrize(("value", "expected"), [("35", 35), ("35,5", 36), ("0", 0), ("", None)])
def test_parse_hours(value, expected):
    assert parse_hours(value) == expected


@pytest.mark.parametrize("value", ["trente", "-1", "1000000"])
def test_parse_hours_refuses(value):
    with pytest.raises(ValueError):
        parse_hours(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("77567227200017", "77567227200017"),
        ("775 672 272 00017", "77567227200017"),
        ("35600000049837", "35600000049837"),  # La Poste: its own rule
    ],
)
def test_clean_siret(value, expected):
    assert clean_siret(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [("44306184100022", "clé de contrôle"), ("1234", "14 chiffres"), ("7756722720001A", "14 chiffres")],
)
def test_clean_siret_refuses(value, reason):
    with pytest.raises(ValueError, match=reason):
        clean_siret(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.example.org/f", "https://www.example.org/f"),
        ("www.example.org/f", "https://www.example.org/f"),
        ("http://example.org", "http://example.org"),
        ("", ""),
    ],
)
def test_clean_url(value, expected):
    assert clean_url(value) == expected


@pytest.mark.parametrize("value", ["pas une adresse", "javascript:alert(1)", "ftp://example.org"])
def test_clean_url_refuses(value):
    with pytest.raises(ValueError):
        clean_url(value)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("44.8412", "-0.5801", (44.8412, -0.5801)),
        ("44,84123456", "-0,58", (44.841235, -0.58)),
        ("", "", None),
        (None, None, None),
    ],
)
def test_parse_coordinate(latitude, longitude, expected):
    assert parse_coordinate(latitude, longitude) == expected


@pytest.mark.parametrize(("latitude", "longitude"), [("0", "0"), ("91", "2"), ("nord", "2"), ("44.8", "")])
def test_parse_coordinate_refuses(latitude, longitude):
    with pytest.raises(ValueError):
        parse_coordinate(latitude, longitude)


# ---------------------------------------------------------------------------------------------------------------
# LHEO 2.3


def test_lheo_23_file_gives_records_and_rejections_in_order():
    items = read(LHEO_23)
    assert [(type(item).__name__, item.source_id) for item in items] == [
        ("FormationRecord", "14_AF_0001"),
        ("FormationRecord", "14_AF_0002"),
        ("Rejection", "14_AF_0003"),
        ("Rejection", "14_AF_0004"),
        ("FormationRecord", "14_AF_0005"),
    ]
    for item in items:
        assert item.line == line_of(LHEO_23, f'<formation numero="{item.source_id}"')


def test_a_malformed_formation_is_rejected_alone_with_its_reason():
    items = by_id(read(LHEO_23))
    assert items["14_AF_0003"].reason == (
        "action 14_AF_0003_AC_01, session 14_SE_0003_01 : début, date invalide (20261345)"
    )
    assert items["14_AF_0004"].reason == (
        "SIRET de l'organisme responsable invalide (44306184100022 : clé de contrôle incorrecte)"
    )


def test_every_block_of_a_complete_formation_is_read():
    record = by_id(read(LHEO_23))["14_AF_0001"]
    assert isinstance(record, FormationRecord)
    assert record.title == "Responsable des ressources humaines"
    assert (
        record.objective == "Piloter la gestion des emplois et des compétences.\n\nConduire l'entretien professionnel."
    )
    assert record.expected_results == "Titre professionnel de niveau 6"
    assert record.content == "- Droit du travail\n- Paie et administration\n\nStage en entreprise."
    assert record.certifying is True
    assert record.formacodes == ["32032", "15041"]  # the main one first
    assert record.nsf_codes == ["315"]
    assert record.rome_codes == ["M1503", "M1502"]
    assert record.certifications == [
        {"type": "RNCP", "code": "35027"},
        {"type": "RS", "code": "5214"},
        {"type": "CERTIFINFO", "code": "108573"},
    ]
    assert (record.entry_level, record.exit_level, record.general_objective, record.course_type) == (
        "14",
        "16",
        "6",
        "1",
    )
    assert record.url == "https://www.example.org/formations/rrh"
    assert record.warnings == []

    provider = record.provider
    assert (provider.siret, provider.name, provider.legal_name, provider.nda) == (
        "77567227200017",
        "Les Petits Débrouillards Formation",
        "Association Les Petits Débrouillards",
        "75331234533",
    )
    assert (provider.email, provider.phone, provider.website) == (
        "contact@example.org",
        "05 56 00 00 00",
        "https://www.example.org",
    )
    assert (provider.place.street, provider.place.postal_code, provider.place.commune_code) == (
        "3 place de la Victoire",
        "33000",
        "33063",
    )

    [action] = record.actions
    assert action.source_id == "14_AF_0001_AC_01"
    assert (action.modality, action.entry_mode, action.cpf_eligible) == ("1", "0", True)
    assert action.rhythm == "Temps plein, 35 heures par semaine"
    assert action.conditions == "Bac + 2 ou expérience de 3 ans."
    assert (action.price_total, action.price_hourly) == (Decimal("1500.50"), Decimal("12.50"))
    assert (action.hours_total, action.hours_centre, action.hours_company) == (540, 400, 140)
    assert action.funders == ["2", "16"]
    assert (action.trainer_name, action.trainer_siret) == ("SCOP Atelier du Bois", "44306184100013")
    place = action.place
    assert place.name == "Campus des métiers"
    assert place.address == "12 rue des Lilas, Bâtiment B, 33000 BORDEAUX"
    assert (place.postal_code, place.city, place.commune_code) == ("33000", "BORDEAUX", "33063")
    assert (place.latitude, place.longitude) == (44.8412, -0.5801)

    first, second = action.sessions
    assert (first.source_id, first.start_date, first.start_precision, first.end_date, first.end_precision) == (
        "14_SE_0001_01",
        date(2026, 9, 7),
        "day",
        date(2026, 12, 18),
        "day",
    )
    assert first.recruitment_state == "1"
    assert first.registration_address == "12 rue des Lilas, 33000 Bordeaux"
    assert (second.start_date, second.start_precision, second.end_date, second.end_precision) == (
        date(2027, 1, 1),
        "month",
        date(2027, 1, 1),
        "year",
    )
    assert second.recruitment_state == "2"


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        ("<debut>00000000</debut><fin>2026</fin>", "session 14_SE_0005_01 : fin, date invalide (2026 ; format"),
        ("<debut>20261005</debut><fin>20261004</fin>", "la fin (04/10/2026) précède le début (05/10/2026)"),
        ("", "session 14_SE_0005_01 : période absente (periode)"),
    ],
)
def test_bad_session_periods(tmp_path, period, reason):
    text = LHEO_23.read_text(encoding="utf-8")
    old = "<periode><debut>20261005</debut><fin>20261005</fin></periode>"
    new = f"<periode>{period}</periode>" if period else ""
    items = by_id(read(write(tmp_path, text.replace(old, new))))
    assert reason in items["14_AF_0005"].reason


def test_doubtful_values_are_left_empty_with_a_warning():
    items = by_id(read(LHEO_23))
    second = items["14_AF_0002"]
    assert second.objective == "Accompagner un apprenti.\nTransmettre un savoir-faire."  # plain text keeps its lines
    assert second.expected_results == ""  # "-" is a placeholder
    assert second.certifying is False
    assert second.provider.email == ""
    in_person, distance = second.actions
    assert in_person.price_total is None
    assert in_person.place.name == "Maison de l'emploi"
    assert (in_person.place.postal_code, in_person.place.city, in_person.place.commune_code) == (
        "24000",
        "PERIGUEUX CEDEX",
        "",
    )
    assert (distance.modality, distance.place) == ("2", None)
    assert (distance.sessions[0].start_date, distance.sessions[0].end_date) == (None, None)
    assert sorted(kind for kind, _ in second.warnings) == ["email", "price", "several_places"]
    assert items["14_AF_0005"].warnings == [("course_type", "parcours-de-formation 9")]
    assert items["14_AF_0005"].course_type == ""


def test_a_provider_is_read_at_its_first_formation_of_the_file():
    items = by_id(read(LHEO_23))
    assert items["14_AF_0005"].provider.name == "Les Petits Débrouillards Formation"


def test_a_gzipped_file_is_recognised_by_its_first_bytes(tmp_path):
    disguised = tmp_path / "offre.xml"  # no .gz in the name
    shutil.copy(LHEO_23_GZ, disguised)
    with LheoFile(disguised) as lheo_file:
        assert (lheo_file.version, lheo_file.compressed) == ("2.3", True)
        gzipped = list(lheo_file)
    assert gzipped == read(LHEO_23)


# ---------------------------------------------------------------------------------------------------------------
# LHEO 2.2


def test_lheo_22_file():
    with LheoFile(LHEO_22) as lheo_file:
        assert (lheo_file.version, lheo_file.compressed) == ("2.2", False)
        record, rejection = list(lheo_file)
    assert record.source_id == "9436_18706"  # the id attribute when there is no numero
    assert record.provider.legal_name == ""  # "-"
    assert record.provider.name == "Lycée des Chartrons"
    assert record.expected_results == "Les débouchés :\nvendeur-manageur commercial."
    assert record.certifications == [{"type": "RNCP", "code": "474"}, {"type": "CERTIFINFO", "code": "19004"}]
    [action] = record.actions
    assert action.source_id == "#1"  # no identifier: its position
    assert action.sessions[0].source_id == "#1"
    assert action.place.name == "Lycée des Chartrons"
    assert action.cpf_eligible is False
    assert rejection == Rejection("9436_18707", line_of(LHEO_22, 'numero="9436_18707"'), "aucune action")


# ---------------------------------------------------------------------------------------------------------------
# Files that cannot be read


def write(tmp_path, text, name="offre.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_syntax_error_stops_the_reading_with_its_line(tmp_path):
    text = LHEO_23.read_text(encoding="utf-8")
    broken = text.replace("musculo-squelettiques.</objectif-formation>", "musculo-squelettiques.</objectif>")
    path = write(tmp_path, broken)
    items = []
    with pytest.raises(LheoSyntaxError) as error, LheoFile(path) as lheo_file:
        items.extend(lheo_file)
    assert [item.source_id for item in items] == ["14_AF_0001", "14_AF_0002", "14_AF_0003", "14_AF_0004"]
    assert error.value.line == line_of(path, "<objectif-formation>Prévenir")
    assert str(error.value).startswith(f"Erreur de syntaxe XML ligne {error.value.line}, colonne")
    assert "balise fermante qui ne correspond pas" in str(error.value)


def test_a_truncated_file_is_a_syntax_error(tmp_path):
    text = LHEO_23.read_text(encoding="utf-8")
    path = write(tmp_path, text[: len(text) // 2])
    with pytest.raises(LheoSyntaxError, match="Erreur de syntaxe XML"), LheoFile(path) as lheo_file:
        list(lheo_file)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", LheoSyntaxError, "Erreur de syntaxe XML ligne 1"),
        ("siret;nom\n1;2\n", LheoSyntaxError, "Erreur de syntaxe XML ligne 1"),
        ("<?xml version='1.0'?><html><body/></html>", LheoFormatError, "l'élément racine est « html » et non « lheo »"),
        (
            "<lheo xmlns='http://lheo.gouv.fr/2.4'><offres/></lheo>",
            LheoFormatError,
            "espace de noms : http://lheo.gouv",
        ),
        ("<lheo><offres/></lheo>", LheoFormatError, "espace de noms : aucun"),
    ],
)
def test_a_file_that_is_not_lheo_is_refused_when_opened(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        LheoFile(write(tmp_path, text)).open()


def test_a_missing_file_is_refused():
    with pytest.raises(LheoError, match="Fichier introuvable"):
        LheoFile("/nulle/part/offre.xml").open()


def test_a_corrupt_gzip_file_is_refused(tmp_path):
    path = tmp_path / "offre.xml.gz"
    path.write_bytes(gzip.compress(LHEO_23.read_bytes())[:40])
    with pytest.raises(LheoError, match="gzip"), LheoFile(path) as lheo_file:
        list(lheo_file)


def test_an_empty_offer_gives_nothing(tmp_path):
    assert read(write(tmp_path, "<lheo xmlns='http://lheo.gouv.fr/2.3'><offres></offres></lheo>")) == []


def test_a_prefixed_namespace_is_read(tmp_path):
    text = LHEO_22.read_text(encoding="utf-8")
    prefixed = text.replace("<", "<l:").replace("<l:/", "</l:").replace("<l:?", "<?").replace("<l:!", "<!")
    prefixed = prefixed.replace('xmlns="', 'xmlns:l="')
    items = read(write(tmp_path, prefixed))
    assert [item.source_id for item in items] == ["9436_18706", "9436_18707"]
    assert [item.line for item in items] == [
        line_of(LHEO_22, 'id="9436_18706"'),
        line_of(LHEO_22, 'numero="9436_18707"'),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Line numbers


class TinyReads(io.BytesIO):
    """A stream that gives a few bytes at a time, so that start tags fall across reads."""

    def read(self, size=-1):
        return super().read(min(size, 7) if size and size > 0 else 7)


def test_formation_lines_are_found_across_reads():
    text = (
        b'<lheo xmlns="http://lheo.gouv.fr/2.3">\n<offres>\n<formation numero="a"/>\n\n'
        b'<formation\n numero="b"/><formation-like/>\n<formation>\n</formation>\n</offres></lheo>\n'
    )
    tracker = lheo._LineTracker(TinyReads(text), b"<formation")
    while tracker.read(16 * 1024):
        pass
    assert list(tracker.lines) == [3, 5, 7]
