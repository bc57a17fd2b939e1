"""The demo LHEO 2.3 feed: structure (element order of the LHEO 2.3 schema), identifiers, codes, places, dates,
determinism. No database: the generator reads data/ only."""

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from stdnum.fr import siret as stdnum_siret

from horizon.demo import data
from horizon.demo.lheo import (
    DEMO_PROVIDER_NAME,
    DEMO_PROVIDER_SIRET,
    NAMESPACE,
    _short,
    load_territory,
    provider_siret,
    reference_month,
    write_lheo,
)
from horizon.demo.lheo_data import DEMO_PROVIDER_KIND, OFFERS, PROVIDER_KINDS
from horizon.organisations.identifiers import siret_checksum_ok, validate_siret
from horizon.programmes.enums import ProgrammeRole, ProgrammeTheme

DATA = settings.BASE_DIR / "data"
TODAY = date(2026, 11, 28)
ANCHOR = date(2026, 11, 1)
N = 90
NS = {"l": NAMESPACE}

# Child order of the LHEO 2.3 content models (lheo.dtd of the 2.3 schema): (order, required elements).
ORDERS = {
    "formation": (
        "domaine-formation intitule-formation objectif-formation resultats-attendus contenu-formation certifiante "
        "contact-formation parcours-de-formation code-niveau-entree objectif-general-formation certification "
        "code-type-formation code-niveau-sortie url-formation action organisme-formation-responsable "
        "identifiant-module positionnement sous-modules modules-prerequis extras",
        "domaine-formation intitule-formation objectif-formation resultats-attendus contenu-formation certifiante "
        "contact-formation parcours-de-formation code-niveau-entree action organisme-formation-responsable",
    ),
    "domaine-formation": ("code-FORMACODE code-NSF code-ROME extras", "code-FORMACODE"),
    "contact-formation": ("type-contact coordonnees extras", "coordonnees"),
    "action": (
        "rythme-formation code-public-vise info-public-vise niveau-entree-obligatoire modalites-alternance "
        "modalites-enseignement conditions-specifiques prise-en-charge-frais-possible lieu-de-formation "
        "modalites-entrees-sorties url-action duree-cycle session adresse-information date-information restauration "
        "hebergement transport acces-handicapes langue-formation modalites-recrutement modalites-pedagogiques "
        "code-modalite-pedagogique equipement frais-restants code-perimetre-recrutement infos-perimetre-recrutement "
        "prix-horaire-TTC prix-total-TTC duree-indicative nombre-heures-centre nombre-heures-entreprise "
        "nombre-heures-total detail-conditions-prise-en-charge conventionnement duree-conventionnee "
        "organisme-formateur organisme-financeur enseignement extras",
        "rythme-formation code-public-vise niveau-entree-obligatoire modalites-alternance modalites-enseignement "
        "conditions-specifiques prise-en-charge-frais-possible modalites-entrees-sorties session",
    ),
    "lieu-de-formation": ("SIRET-lieu-formation code-UAI-lieu-formation coordonnees extras", "coordonnees"),
    "session": (
        "periode adresse-inscription modalites-inscription periode-inscription etat-recrutement recrutement "
        "url-session contact-session reference-certification blocs-competences cycle extras",
        "periode adresse-inscription",
    ),
    "periode": ("debut fin extras", "debut fin"),
    "adresse-inscription": ("adresse extras", "adresse"),
    "organisme-financeur": ("code-financeur nb-places-financees extras", "code-financeur"),
    "organisme-formateur": (
        "SIRET-formateur raison-sociale-formateur contact-formateur potentiel code-UAI-formateur "
        "reference-certification extras",
        "SIRET-formateur raison-sociale-formateur",
    ),
    "organisme-formation-responsable": (
        "numero-activite SIRET-organisme-formation nom-organisme raison-sociale coordonnees-organisme "
        "contact-organisme renseignements-specifiques potentiel code-UAI-organisme-formation extras",
        "numero-activite SIRET-organisme-formation nom-organisme raison-sociale coordonnees-organisme "
        "contact-organisme",
    ),
    "contact-organisme": ("type-contact coordonnees extras", "coordonnees"),
    "coordonnees": ("civilite nom prenom ligne adresse telfixe portable fax courriel web extras", ""),
    "adresse": (
        "denomination ligne codepostal ville departement code-INSEE-commune code-INSEE-canton region pays "
        "geolocalisation extras",
        "ligne codepostal ville",
    ),
    "geolocalisation": ("latitude longitude extras", "latitude longitude"),
    "certification": ("code-RNCP code-CERTIFINFO code-RS code-CPF reference-code-FORMACODE extras", ""),
}
SINGLE = {"domaine-formation", "intitule-formation", "certifiante", "organisme-formation-responsable", "periode"}
PARTIAL_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def local(element):
    return element.tag.rsplit("}", 1)[-1]


def text(element, path):
    return element.findtext(path, namespaces=NS)


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    path = tmp_path_factory.mktemp("lheo") / "offre.xml"
    result = write_lheo(path, formations=N, today=TODAY)
    return path, result, ET.parse(path).getroot()


@pytest.fixture(scope="module")
def large_feed(tmp_path_factory):
    """Enough formations for the rarer cases (partial dates, escaped HTML, every kind of offer)."""
    path = tmp_path_factory.mktemp("lheo") / "grande-offre.xml"
    result = write_lheo(path, formations=600, today=TODAY)
    return path, result, ET.parse(path).getroot()


def csv_column(path, column):
    with path.open(encoding="utf-8", newline="") as f:
        return {row[column] for row in csv.DictReader(f)}


# --- Structure -----------------------------------------------------------------------------------------------------


def test_root_namespace_and_counts(feed):
    _, result, root = feed
    assert root.tag == f"{{{NAMESPACE}}}lheo"
    assert [local(child) for child in root] == ["offres"]
    formations = root.findall("l:offres/l:formation", NS)
    assert len(formations) == result.formations == N
    assert len(root.findall(".//l:action", NS)) == result.actions
    assert len(root.findall(".//l:session", NS)) == result.sessions
    assert result.sessions >= result.actions >= N
    assert (
        len({text(f, "l:organisme-formation-responsable/l:SIRET-organisme-formation/l:SIRET") for f in formations}) > 1
    )


def test_every_element_follows_the_lheo_2_3_order(large_feed):
    _, _, root = large_feed
    checked = Counter()
    for element in root.iter():
        name = local(element)
        if name not in ORDERS:
            continue
        order, required = (words.split() for words in ORDERS[name])
        tags = [local(child) for child in element]
        assert set(tags) <= set(order), f"{name} : éléments inconnus {set(tags) - set(order)}"
        positions = [order.index(tag) for tag in tags]
        assert positions == sorted(positions), f"{name} : ordre {tags}"
        assert set(required) <= set(tags), f"{name} : il manque {set(required) - set(tags)}"
        for tag in SINGLE & set(tags):
            assert tags.count(tag) == 1, f"{name} : {tag} répété"
        checked[name] += 1
    assert checked["formation"] == 600
    assert checked["session"] > checked["action"] >= 600
    assert checked["organisme-formateur"] > 0 and checked["certification"] > 0 and checked["lieu-de-formation"] > 0


def test_lengths_stay_within_the_lheo_limits(large_feed):
    _, _, root = large_feed
    for formation in root.iter(f"{{{NAMESPACE}}}formation"):
        assert 1 <= len(text(formation, "l:intitule-formation")) <= 255
        for tag in ("objectif-formation", "resultats-attendus", "contenu-formation"):
            assert 1 <= len(text(formation, f"l:{tag}")) <= 3000
    for line in root.iter(f"{{{NAMESPACE}}}ligne"):
        assert 1 <= len(line.text) <= 50
    for town in root.iter(f"{{{NAMESPACE}}}ville"):
        assert len(town.text) <= 50


# --- Providers and identifiers -------------------------------------------------------------------------------------


def test_sirets_are_valid_and_ndas_have_eleven_digits(feed):
    _, _, root = feed
    sirets = [element.text for element in root.iter(f"{{{NAMESPACE}}}SIRET")]
    assert sirets
    for siret in set(sirets):
        validate_siret(siret)
        assert siret_checksum_ok(siret) and stdnum_siret.is_valid(siret)
        assert siret.startswith("98")  # never a demo structure's ("99…")
    for nda in root.iter(f"{{{NAMESPACE}}}numero-activite"):
        assert re.fullmatch(r"75\d{9}", nda.text)
        assert nda.text[2:4] == nda.text[9:11]  # the département, at both ends


@pytest.mark.parametrize("number", [0, 1, 42, 999, 2_400, 999_999])
def test_provider_siret_is_valid(number):
    siret = provider_siret(number, "0025")
    validate_siret(siret)
    assert stdnum_siret.is_valid(siret)


def test_the_demo_provider_is_the_demo_accounts_organisation(feed):
    _, _, root = feed
    account = next(a for a in data.ACCOUNTS if a.role == ProgrammeRole.PROVIDER)
    assert account.organisation.startswith(DEMO_PROVIDER_NAME)
    assert provider_siret(0) == DEMO_PROVIDER_SIRET
    responsible = root.findall(".//l:organisme-formation-responsable", NS)
    demo = [o for o in responsible if text(o, "l:SIRET-organisme-formation/l:SIRET") == DEMO_PROVIDER_SIRET]
    assert demo, "l'organisme de la démo publie des formations"
    assert {text(o, "l:nom-organisme") for o in demo} == {DEMO_PROVIDER_NAME}
    assert {text(o, "l:coordonnees-organisme/l:coordonnees/l:adresse/l:code-INSEE-commune") for o in demo} == {"33063"}
    assert {o.find("l:extras/l:extra", NS).text for o in demo} == {"1"}  # Qualiopi
    # Same SIRET, same name: a provider is written the same way in each of its formations.
    names = {}
    for organisme in responsible:
        names.setdefault(text(organisme, "l:SIRET-organisme-formation/l:SIRET"), set()).add(
            text(organisme, "l:nom-organisme")
        )
    assert all(len(found) == 1 for found in names.values())


def test_the_demo_provider_runs_the_programme_themes():
    themes = {theme for offer in DEMO_PROVIDER_KIND.offers for theme in _offer(offer).themes}
    assert themes == set(ProgrammeTheme.values)


# --- Codes and places ----------------------------------------------------------------------------------------------


def _offer(key):
    return next(offer for offer in OFFERS if offer.key == key)


def test_offer_codes_exist_in_the_referentials():
    nsf = csv_column(DATA / "formation/nsf.csv", "code")
    rome = csv_column(DATA / "rome/rome_fiches.csv", "code_rome")
    dictionaries = json.loads((DATA / "formation/lheo_dictionaries.json").read_text(encoding="utf-8"))
    for offer in OFFERS:
        assert offer.titles and offer.objectives and offer.contents and offer.results, offer.key
        assert all(re.fullmatch(r"\d{5}", code) for code in offer.formacodes), offer.key
        assert set(offer.nsf) <= nsf, offer.key
        assert set(offer.rome) <= rome, offer.key
        assert set(offer.funders) <= set(dictionaries["dict-financeurs"]), offer.key
        assert {offer.entry_level, offer.exit_level or "0"} <= set(dictionaries["dict-niveaux"]), offer.key
        assert offer.general_objective in dictionaries["dict-AIS"], offer.key
        assert set(offer.themes) <= set(ProgrammeTheme.values), offer.key
        assert all(re.fullmatch(r"8\d{4}", code) for code in offer.publics), offer.key
        assert sum(offer.modalities) > 0 and min(offer.hours) > 0, offer.key
        if offer.certification:
            kind, code, label = offer.certification
            assert kind in {"RNCP", "RS"} and code.isdigit() and label, offer.key
    every_theme = {theme for offer in OFFERS for theme in offer.themes}
    assert every_theme == set(ProgrammeTheme.values)
    runnable = {key for kind in (*PROVIDER_KINDS, DEMO_PROVIDER_KIND) for key in kind.offers}
    assert runnable == {offer.key for offer in OFFERS}


def test_codes_in_the_file(large_feed):
    _, _, root = large_feed
    nsf = csv_column(DATA / "formation/nsf.csv", "code")
    rome = csv_column(DATA / "rome/rome_fiches.csv", "code_rome")
    for formation in root.iter(f"{{{NAMESPACE}}}formation"):
        domain = formation.find("l:domaine-formation", NS)
        formacodes = domain.findall("l:code-FORMACODE", NS)
        assert formacodes[0].get("tag") == "principal" and all(c.get("ref") == "V14" for c in formacodes)
        assert {c.text for c in domain.findall("l:code-NSF", NS)} <= nsf
        assert {c.text for c in domain.findall("l:code-ROME", NS)} <= rome
        certifying = text(formation, "l:certifiante")
        certification = formation.find("l:certification", NS)
        assert (certifying == "1") == (certification is not None)
        if certification is not None:
            (code,) = list(certification)
            assert local(code) in {"code-RNCP", "code-RS"} and code.text.isdigit()
        for action in formation.findall("l:action", NS):
            assert text(action, "l:modalites-enseignement") in {"0", "1", "2"}
            assert text(action, "l:modalites-entrees-sorties") in {"0", "1"}
            hours = int(text(action, "l:nombre-heures-total"))
            assert hours == int(text(action, "l:nombre-heures-centre")) + int(
                text(action, "l:nombre-heures-entreprise") or 0
            )
            price = text(action, "l:prix-total-TTC")
            if price:
                assert float(price) > 0 and re.fullmatch(r"\d+\.\d\d", price)


def test_places_are_real_communes_of_the_region(feed):
    _, _, root = feed
    territory = load_territory(DATA)
    assert len(territory.communes) > 4000
    addresses = list(root.iter(f"{{{NAMESPACE}}}adresse"))
    assert addresses
    for adresse in addresses:
        commune = territory.by_code[text(adresse, "l:code-INSEE-commune")]
        assert text(adresse, "l:ville") == commune.name
        assert text(adresse, "l:codepostal") in commune.postal_codes
        assert text(adresse, "l:departement") == commune.departement
        assert text(adresse, "l:region") == "75"
        assert abs(float(text(adresse, "l:geolocalisation/l:latitude")) - commune.latitude) < 0.01
        assert abs(float(text(adresse, "l:geolocalisation/l:longitude")) - commune.longitude) < 0.01


# --- Dates ---------------------------------------------------------------------------------------------------------


def _lower_bound(value):
    """The earliest day an LHEO date can mean: 20270300 → 2027-03-01."""
    year, month, day = (int(part) for part in PARTIAL_DATE.fullmatch(value).groups())
    return date(year, month or 1, day or 1)


def test_session_dates(large_feed):
    _, _, root = large_feed
    anchor = reference_month(TODAY)
    assert anchor == ANCHOR
    partial = past = upcoming = 0
    states = Counter()
    for session in root.iter(f"{{{NAMESPACE}}}session"):
        debut, fin = text(session, "l:periode/l:debut"), text(session, "l:periode/l:fin")
        start, end = _lower_bound(debut), _lower_bound(fin)
        assert end >= start
        assert date(2026, 5, 1) <= start <= date(2028, 6, 1)
        partial += debut.endswith("00") or fin.endswith("00")
        state = text(session, "l:etat-recrutement")
        states[state] += 1
        if fin[-2:] != "00" and end < anchor:
            past += 1
            assert state in {None, "2"}  # over: registrations closed
        elif start >= anchor:
            upcoming += 1
    assert partial and past and upcoming > past
    assert set(states) <= {None, "1", "2", "3"} and states["1"] > states["2"]


def test_sessions_of_an_action_come_in_date_order(large_feed):
    _, _, root = large_feed
    for action in root.iter(f"{{{NAMESPACE}}}action"):
        months = [text(session, "l:periode/l:debut")[:6] for session in action.findall("l:session", NS)]
        assert months == sorted(months)


# --- Texts ---------------------------------------------------------------------------------------------------------


def test_some_texts_are_escaped_html_as_in_real_feeds(large_feed):
    path, _, root = large_feed
    raw = path.read_text(encoding="utf-8")
    assert "&lt;p&gt;" in raw and "&lt;ul&gt;&lt;li&gt;" in raw
    contents = [text(f, "l:contenu-formation") for f in root.iter(f"{{{NAMESPACE}}}formation")]
    html = [content for content in contents if content.startswith("<p>")]
    assert 0.05 < len(html) / len(contents) < 0.3
    assert all("<li>" in content for content in html)


def test_titles_speak_of_the_programme_themes(large_feed):
    _, _, root = large_feed
    titles = " | ".join(text(f, "l:intitule-formation") for f in root.iter(f"{{{NAMESPACE}}}formation"))
    for words in ("Manager une équipe à distance", "maître d'apprentissage", "CAP Accompagnant éducatif petite"):
        assert words in titles
    for title in titles.split(" | "):  # a qualifier never adds a second colon nor a second setting
        assert title.count(":") <= 1 and title.count("dans les structures") <= 1, title
        assert not re.search(r"(association|ESS|établissement).* en (association|établissement)", title), title


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Centre de formation continue de Saujon", "Centre de formation continue de Saujon"),
        ("CFA des métiers de l'accompagnement de La Roche-Posay", "CFA des métiers de l'accompagnement"),
        ("Sillage RH (Le Passage), site de Villeneuve-sur-Lot", "Sillage RH (Le Passage)"),
        ("Maison de la formation du Lot (Le Passage d'Agen et les environs)", "Maison de la formation du Lot"),
        (
            "Institut de formation aux métiers du social, site de Mérignac",
            "Institut de formation aux métiers du social",
        ),
    ],
)
def test_address_lines_are_cut_at_a_word(line, expected):
    assert _short(line) == expected
    assert len(_short(line)) <= 50


# --- Determinism, gzip, size ---------------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_file(tmp_path):
    first = write_lheo(tmp_path / "a.xml", formations=25, today=TODAY, seed=7)
    again = write_lheo(tmp_path / "b.xml", formations=25, today=TODAY, seed=7)
    other = write_lheo(tmp_path / "c.xml", formations=25, today=TODAY, seed=8)
    assert first.path.read_bytes() == again.path.read_bytes()
    assert first.path.read_bytes() != other.path.read_bytes()
    later = write_lheo(tmp_path / "d.xml", formations=25, today=date(2027, 2, 3), seed=7)
    assert later.path.read_bytes() != first.path.read_bytes()  # dates follow the reference month


def test_gzip_output_is_the_same_document_and_reproducible(tmp_path):
    plain = write_lheo(tmp_path / "offre.xml", formations=20, today=TODAY)
    packed = write_lheo(tmp_path / "offre.xml.gz", formations=20, today=TODAY)
    again = write_lheo(tmp_path / "encore.xml.gz", formations=20, today=TODAY)
    assert gzip.decompress(packed.path.read_bytes()) == plain.path.read_bytes()
    assert packed.path.read_bytes() == again.path.read_bytes()
    assert packed.bytes < plain.bytes
    with gzip.open(packed.path) as f:
        assert ET.parse(f).getroot().tag == f"{{{NAMESPACE}}}lheo"


def test_a_session_target_sizes_the_file(tmp_path):
    result = write_lheo(tmp_path / "sessions.xml", formations=100, sessions=300, today=TODAY)
    assert 300 <= result.sessions < 300 + 20
    root = ET.parse(result.path).getroot()
    assert len(root.findall(".//l:session", NS)) == result.sessions
    assert len(root.findall("l:offres/l:formation", NS)) == result.formations < 100
    assert result.providers == 8  # sized by `formations`


# --- Command -------------------------------------------------------------------------------------------------------


def test_command_writes_the_file(tmp_path):
    out = io.StringIO()
    call_command(
        "generate_demo_lheo",
        str(tmp_path / "demo.xml"),
        "--formations",
        "12",
        "--seed",
        "3",
        "--gzip",
        "--date",
        "2026-11-02",
        stdout=out,
    )
    path = tmp_path / "demo.xml.gz"
    with gzip.open(path) as f:
        root = ET.parse(f).getroot()
    assert len(root.findall("l:offres/l:formation", NS)) == 12
    same = write_lheo(tmp_path / "same.xml", formations=12, seed=3, today=TODAY)
    assert gzip.decompress(path.read_bytes()) == same.path.read_bytes()
    report = out.getvalue()
    assert "12 formations" in report and DEMO_PROVIDER_SIRET in report


@pytest.mark.parametrize("arguments", [["--formations", "0"], ["--formations", "douze"], ["--date", "2026-13-01"]])
def test_command_refuses_bad_arguments(tmp_path, arguments):
    with pytest.raises(CommandError):
        call_command("generate_demo_lheo", str(tmp_path / "demo.xml"), *arguments)
    assert not (tmp_path / "demo.xml").exists()
