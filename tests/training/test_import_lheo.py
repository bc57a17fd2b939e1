"""The LHEO import against the database, with the hand-written files of fixtures/lheo."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from horizon.training import search, themes
from horizon.training.enums import OfferChangeAction
from horizon.training.feed import Place
from horizon.training.import_tools import CommuneResolver, town_key
from horizon.training.imports import import_offer
from horizon.training.lheo import LheoFile, LheoSyntaxError
from horizon.training.models import Action, Formation, FormationTheme, OfferChange, Provider, Session
from horizon.training.search import search_formations
from tests.factories.territories import CommuneFactory, DepartementFactory, PostalCodeFactory

FIXTURES = Path(__file__).parent / "fixtures" / "lheo"
LHEO_23 = FIXTURES / "offre-2.3.xml"
LHEO_23_GZ = FIXTURES / "offre-2.3.xml.gz"
LHEO_22 = FIXTURES / "offre-2.2.xml"
IMPORTED = {"14_AF_0001", "14_AF_0002", "14_AF_0005"}


@pytest.fixture
def communes(db):
    bordeaux = CommuneFactory()
    PostalCodeFactory(code="33000", commune=bordeaux, label="BORDEAUX")
    perigueux = CommuneFactory(
        code="24322",
        name="Périgueux",
        departement=DepartementFactory(code="24", name="Dordogne"),
        epci=None,
        latitude=45.1846,
        longitude=0.7214,
    )
    PostalCodeFactory(code="24000", commune=perigueux, label="PERIGUEUX")
    return {"bordeaux": bordeaux, "perigueux": perigueux}


def run(path=LHEO_23, *, wet=True, source="lheo", **options):
    with LheoFile(path) as lheo_file:
        return import_offer(source, lheo_file, wet_run=wet, **options)


def variant(tmp_path, edit, source=LHEO_23, name="offre.xml"):
    """A copy of a fixture file changed by edit(text)."""
    path = tmp_path / name
    path.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def without(text, numero):
    """The file's text without the formation `numero`."""
    return re.sub(rf'<formation numero="{numero}">.*?</formation>\n', "", text, flags=re.DOTALL)


def counts(tally):
    return (tally.created, tally.updated, tally.unchanged, tally.closed, tally.reopened)


def test_a_dry_run_reports_everything_and_writes_nothing(communes):
    report = run(wet=False)
    assert report.read == 5
    assert counts(report.formations) == (3, 0, 0, 0, 0)
    assert counts(report.actions) == (4, 0, 0, 0, 0)
    assert counts(report.sessions) == (5, 0, 0, 0, 0)
    assert report.providers.created == 2
    assert [rejection.source_id for rejection in report.rejected] == ["14_AF_0003", "14_AF_0004"]
    for model in (Provider, Formation, Action, Session, OfferChange):
        assert not model.objects.exists()


def test_a_wet_run_writes_the_offer(communes):
    report = run()
    assert counts(report.formations) == (3, 0, 0, 0, 0)
    assert set(Formation.objects.values_list("source_id", flat=True)) == IMPORTED

    provider = Provider.objects.get(siret="77567227200017")
    assert provider.name == "Les Petits Débrouillards Formation"  # the first block of the file, not the later one
    assert provider.legal_name == "Association Les Petits Débrouillards"
    assert (provider.nda, provider.address, provider.postal_code) == ("75331234533", "3 place de la Victoire", "33000")
    assert provider.commune == communes["bordeaux"]
    assert (provider.email, provider.phone, provider.website) == (
        "contact@example.org",
        "05 56 00 00 00",
        "https://www.example.org",
    )
    assert Provider.objects.get(siret="44306184100013").email == ""  # invalid in the feed

    formation = Formation.objects.get(source="lheo", source_id="14_AF_0001")
    assert formation.provider == provider
    assert formation.title == "Responsable des ressources humaines"
    assert formation.objective.startswith("Piloter la gestion")
    assert formation.content == "- Droit du travail\n- Paie et administration\n\nStage en entreprise."
    assert formation.certifying is True
    assert formation.certifications[0] == {"type": "RNCP", "code": "35027"}
    assert (formation.formacodes, formation.nsf_codes, formation.rome_codes) == (
        ["32032", "15041"],
        ["315"],
        ["M1503", "M1502"],
    )
    assert (formation.entry_level, formation.exit_level, formation.general_objective, formation.course_type) == (
        "14",
        "16",
        "6",
        "1",
    )
    assert formation.url == "https://www.example.org/formations/rrh"
    assert len(formation.fingerprint) == 64
    assert formation.closed_at is None

    action = formation.actions.get()
    assert (action.source_id, action.modality, action.entry_mode, action.cpf_eligible) == (
        "14_AF_0001_AC_01",
        "1",
        "0",
        True,
    )
    assert (action.price_total, action.price_hourly) == (Decimal("1500.50"), Decimal("12.50"))
    assert (action.hours_total, action.hours_centre, action.hours_company) == (540, 400, 140)
    assert action.funders == ["2", "16"]
    assert (action.trainer_name, action.trainer_siret) == ("SCOP Atelier du Bois", "44306184100013")
    assert (action.place_name, action.address) == ("Campus des métiers", "12 rue des Lilas, Bâtiment B, 33000 BORDEAUX")
    assert (action.commune, action.latitude, action.longitude) == (communes["bordeaux"], 44.8412, -0.5801)

    first, second = action.sessions.order_by("source_id")
    assert first.formation == formation  # set by the import, not by Session.save
    assert (first.start_date, first.end_date, first.recruitment_state) == (date(2026, 9, 7), date(2026, 12, 18), "1")
    assert first.registration_address == "12 rue des Lilas, 33000 Bordeaux"
    assert (first.commune, first.latitude, first.longitude) == (communes["bordeaux"], 44.8412, -0.5801)
    assert (second.start_date, second.start_precision, second.end_date, second.end_precision) == (
        date(2027, 1, 1),
        "month",
        date(2027, 1, 1),
        "year",
    )


def test_communes_are_found_by_insee_code_else_by_postal_code_and_town(communes):
    report = run()
    formation = Formation.objects.get(source_id="14_AF_0002")
    in_person = formation.actions.get(source_id="14_AF_0002_AC_01")
    # "24000 PERIGUEUX CEDEX", no INSEE code, no coordinates: the commune and its point
    assert (in_person.commune, in_person.latitude, in_person.longitude) == (communes["perigueux"], 45.1846, 0.7214)
    assert in_person.sessions.get().commune == communes["perigueux"]
    distance = formation.actions.get(source_id="14_AF_0002_AC_02")
    assert (distance.modality, distance.commune, distance.latitude, distance.place_name) == ("2", None, None, "")
    unknown = Formation.objects.get(source_id="14_AF_0005").actions.get()
    assert (unknown.commune, unknown.latitude) == (None, None)
    assert report.warnings["commune"] == 1
    assert report.warning_samples["commune"] == ["99999 99999 Nulle-Part"]
    assert report.warnings["several_places"] == 1


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (Place(commune_code="33063"), "33063"),
        (Place(commune_code="75108"), "75056"),  # a Paris arrondissement: the city
        (Place(commune_code="", postal_code="33000", city="Bordeaux Cedex 9"), "33063"),
        (Place(commune_code="", postal_code="24000", city="perigueux"), "24322"),
        (Place(commune_code="00000", postal_code="24000", city="Périgueux"), "24322"),
        (Place(commune_code="", postal_code="24000", city="Bordeaux"), None),
        (Place(), None),
    ],
)
def test_commune_resolver(place, expected):
    resolver = CommuneResolver(
        {"33063": (44.8, -0.6), "24322": (45.2, 0.7), "75056": (48.9, 2.3)},
        {("33000", "bordeaux"): "33063", ("24000", "perigueux"): "24322"},
    )
    assert resolver.resolve(place)[0] == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ST MEDARD EN JALLES CEDEX 2", "saint medard en jalles"), ("Sainte-Foy-la-Grande", "sainte foy la grande")],
)
def test_town_key(name, expected):
    assert town_key(name) == expected


def test_history_and_touched_formations(communes):
    report = run()
    ids = set(Formation.objects.values_list("id", flat=True))
    assert report.touched_formation_ids == ids
    changes = OfferChange.objects.all()
    assert {change.formation_id for change in changes} == ids
    assert {(change.action, change.user_id, change.note) for change in changes} == {
        (OfferChangeAction.CREATED, None, "Import LHEO, source « lheo »")
    }


def test_a_wet_run_tags_themes_and_makes_the_offers_searchable(communes):
    run(wet=False)
    assert not FormationTheme.objects.exists()
    run()
    hr = Formation.objects.get(title__startswith="Responsable")
    assert set(hr.themes.values_list("theme", flat=True)) >= {"politique_rh"}
    found = search_formations(Formation.objects.all(), "ressource humaine")
    assert list(found.values_list("pk", flat=True)) == [hr.pk]
    assert search_formations(Formation.objects.all(), "tuteurs").get().title == "Tuteur en entreprise"


def _derived_state():
    """The theme rows and search documents of every formation, as the database holds them."""
    rows = set(FormationTheme.objects.values_list("formation_id", "theme", "origin"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid, title, provider, body FROM {search.TABLE}")
        else:
            cursor.execute(f"SELECT formation_id, document::text FROM {search.TABLE}")
        return rows, set(cursor.fetchall())


def test_the_themes_and_documents_written_with_each_batch_are_those_a_refresh_writes(communes):
    run(batch_size=2)
    written = _derived_state()
    ids = Formation.objects.values_list("pk", flat=True)
    refreshed = themes.refresh_derived_themes(ids)
    assert (refreshed.added, refreshed.removed) == (0, 0)
    search.rebuild_index()
    assert _derived_state() == written
    assert written[0] and len(written[1]) == len(IMPORTED)


def test_the_qualiopi_extension_of_a_feed_is_read_and_silence_keeps_the_platform_value(communes):
    run()
    certified = Provider.objects.get(siret="77567227200017")
    silent = Provider.objects.get(siret="44306184100013")
    assert certified.qualiopi and not silent.qualiopi
    Provider.objects.filter(pk=silent.pk).update(qualiopi=True)  # known from the DGEFP list, say
    run()
    silent.refresh_from_db()
    assert silent.qualiopi


def test_a_second_run_changes_nothing(communes):
    run()
    stamps = dict(Formation.objects.values_list("id", "updated_at"))
    session_stamps = dict(Session.objects.values_list("id", "updated_at"))
    report = run()
    assert counts(report.formations) == (0, 0, 3, 0, 0)
    assert counts(report.actions) == (0, 0, 4, 0, 0)
    assert counts(report.sessions) == (0, 0, 5, 0, 0)
    assert (report.providers.created, report.providers.updated, report.providers.unchanged) == (0, 0, 2)
    assert report.touched_formation_ids == set()
    assert OfferChange.objects.count() == 3
    assert dict(Formation.objects.values_list("id", "updated_at")) == stamps
    assert dict(Session.objects.values_list("id", "updated_at")) == session_stamps


def test_a_changed_record_is_updated(communes, tmp_path):
    run()
    changed = variant(
        tmp_path,
        lambda text: text.replace("Tuteur en entreprise", "Tuteur ou tutrice en entreprise").replace(
            "<debut>20260115</debut>", "<debut>20260114</debut>"
        ),
    )
    report = run(changed)
    formation = Formation.objects.get(source_id="14_AF_0002")
    assert formation.title == "Tuteur ou tutrice en entreprise"
    assert counts(report.formations) == (0, 1, 2, 0, 0)
    assert counts(report.sessions) == (0, 1, 4, 0, 0)
    assert Session.objects.get(source_id="14_SE_0002_01").start_date == date(2026, 1, 14)
    assert report.touched_formation_ids == {formation.id}
    change = OfferChange.objects.get(action=OfferChangeAction.IMPORTED)
    assert change.formation == formation
    assert change.changes == {"intitulé": ["Tuteur en entreprise", "Tuteur ou tutrice en entreprise"]}
    assert change.note == "Import LHEO, source « lheo » : 1 session modifiée"
    assert report.details["updated"] == [
        "~ 14_AF_0002 Tuteur ou tutrice en entreprise — intitulé : Tuteur en entreprise → Tuteur ou tutrice en "
        "entreprise ; 1 session modifiée"
    ]


def test_a_record_gone_from_the_file_is_closed_then_reopened_when_it_comes_back(communes, tmp_path):
    run()
    formation = Formation.objects.get(source_id="14_AF_0002")
    report = run(variant(tmp_path, lambda text: without(text, "14_AF_0002")))
    formation.refresh_from_db()
    assert formation.closed_at is not None
    assert counts(report.formations) == (0, 0, 2, 1, 0)
    assert counts(report.actions) == (0, 0, 2, 2, 0)
    assert counts(report.sessions) == (0, 0, 3, 2, 0)
    assert not formation.actions.filter(closed_at__isnull=True).exists()
    assert not formation.sessions.filter(closed_at__isnull=True).exists()
    assert Formation.objects.filter(closed_at__isnull=True).count() == 2  # never deleted, only closed
    assert report.touched_formation_ids == {formation.id}
    closed = OfferChange.objects.get(action=OfferChangeAction.CLOSED)
    assert (closed.formation, closed.note) == (formation, "Absente du fichier importé (source « lheo »)")

    report = run()
    formation.refresh_from_db()
    assert formation.closed_at is None
    assert counts(report.formations) == (0, 0, 2, 0, 1)
    assert counts(report.actions) == (0, 0, 2, 0, 2)
    assert counts(report.sessions) == (0, 0, 3, 0, 2)
    assert not formation.sessions.filter(closed_at__isnull=False).exists()
    reopened = OfferChange.objects.get(action=OfferChangeAction.REOPENED)
    assert reopened.formation == formation
    assert reopened.note.startswith("De retour dans le fichier importé (source « lheo »)")


def test_a_session_gone_from_its_formation_is_closed(communes, tmp_path):
    run()
    report = run(
        variant(tmp_path, lambda text: re.sub(r'<session numero="14_SE_0001_02">.*?</session>', "", text, flags=re.S))
    )
    assert Session.objects.get(source_id="14_SE_0001_02").closed_at is not None
    assert Session.objects.get(source_id="14_SE_0001_01").closed_at is None
    assert counts(report.sessions) == (0, 0, 4, 1, 0)
    assert counts(report.formations) == (0, 1, 2, 0, 0)
    assert OfferChange.objects.get(action=OfferChangeAction.IMPORTED).note.endswith(": 1 session retirée")


def test_a_formation_that_turns_malformed_is_rejected_and_left_as_it_was(communes, tmp_path):
    run()
    broken = variant(tmp_path, lambda text: text.replace("<debut>20260115</debut>", "<debut>2026-13-15</debut>"))
    report = run(broken)
    formation = Formation.objects.get(source_id="14_AF_0002")
    assert formation.closed_at is None
    assert formation.title == "Tuteur en entreprise"
    assert [rejection.source_id for rejection in report.rejected] == ["14_AF_0002", "14_AF_0003", "14_AF_0004"]
    assert counts(report.formations) == (0, 0, 2, 0, 0)
    assert not Session.objects.filter(closed_at__isnull=False).exists()


def test_a_formation_twice_in_the_file_is_rejected_the_second_time(communes, tmp_path):
    def twice(text):
        block = re.search(r'<formation numero="14_AF_0005">.*?</formation>\n', text, flags=re.S).group(0)
        return text.replace("</offres>", block + "</offres>")

    report = run(variant(tmp_path, twice))
    duplicate = report.rejected[-1]
    assert duplicate.source_id == "14_AF_0005"
    assert duplicate.reason.startswith("formation en double dans le fichier (ligne ")
    assert Formation.objects.filter(source_id="14_AF_0005").count() == 1


def test_a_syntax_error_half_way_writes_nothing(communes, tmp_path):
    broken = variant(tmp_path, lambda text: text.replace("</contenu-formation>\n  <certifiante>0", "<certifiante>0", 1))
    with pytest.raises(LheoSyntaxError):
        run(broken, batch_size=1)  # the first formations are written before the error is met
    assert not Formation.objects.exists()
    assert not Provider.objects.exists()


def test_the_formations_of_other_sources_are_not_touched(communes, tmp_path):
    run(source="autre-flux")
    report = run(variant(tmp_path, lambda text: without(text, "14_AF_0002")))
    assert counts(report.formations) == (2, 0, 0, 0, 0)  # the same ids, another source: new formations
    assert Formation.objects.filter(source="autre-flux", closed_at__isnull=True).count() == 3


def test_a_change_made_on_the_platform_stays_until_the_feed_changes(communes, tmp_path):
    run()
    Formation.objects.filter(source_id="14_AF_0005").update(title="Gestes et postures (corrigé)")
    assert counts(run().formations) == (0, 0, 3, 0, 0)
    assert Formation.objects.get(source_id="14_AF_0005").title == "Gestes et postures (corrigé)"
    run(variant(tmp_path, lambda text: text.replace("Théorie et pratique.", "Théorie, pratique.")))
    assert Formation.objects.get(source_id="14_AF_0005").title == "Gestes et postures"


def test_a_gzipped_file_imports_as_the_plain_one(communes):
    report = run(LHEO_23_GZ)
    assert counts(report.formations) == (3, 0, 0, 0, 0)
    assert counts(run(LHEO_23).formations) == (0, 0, 3, 0, 0)


def test_lheo_22(communes):
    report = run(LHEO_22)
    assert counts(report.formations) == (1, 0, 0, 0, 0)
    action = Formation.objects.get(source_id="9436_18706").actions.get()
    assert action.source_id == "#1"
    assert (action.commune, action.latitude) == (communes["bordeaux"], communes["bordeaux"].latitude)
    assert counts(run(LHEO_22).sessions) == (0, 0, 1, 0, 0)


def many_formations(tmp_path, count):
    """A file of `count` copies of the first formation, with their own ids."""
    text = LHEO_23.read_text(encoding="utf-8")
    block = re.search(r'<formation numero="14_AF_0001".*?</formation>\n', text, flags=re.S).group(0)
    copies = "".join(block.replace("14_AF_0001", f"14_AF_{number:04d}") for number in range(count))
    head, _, _ = text.partition("<formation ")
    return variant(tmp_path, lambda _: head + copies + "</offres>\n</lheo>\n", name=f"offre-{count}.xml")


def test_the_number_of_queries_does_not_grow_with_the_records(communes, tmp_path):
    small, large = many_formations(tmp_path, 3), many_formations(tmp_path, 40)

    def queries(path, source, wet):
        with CaptureQueriesContext(connection) as captured:
            run(path, source=source, wet=wet, batch_size=100)
        return len(captured)

    # Creations (dry runs, rolled back: both start from an empty catalogue)
    assert queries(small, "petit", wet=False) == queries(large, "grand", wet=False)
    # Nothing to write
    run(small, source="petit")
    run(large, source="grand")
    assert queries(small, "petit", wet=True) == queries(large, "grand", wet=True)


def test_a_change_of_sessions_only_leaves_themes_and_search_alone(communes, tmp_path):
    run()
    formation = Formation.objects.get(source_id="14_AF_0002")
    changed = variant(tmp_path, lambda text: text.replace("<debut>20260115</debut>", "<debut>20260114</debut>"))
    report = run(changed)
    assert report.touched_formation_ids == {formation.id}
    assert report.derived_formation_ids == set()
    assert search_formations(Formation.objects.all(), "tuteurs").get() == formation


def test_a_renamed_provider_is_found_under_its_new_name(communes, tmp_path):
    run()
    report = run(
        variant(
            tmp_path,
            lambda text: text.replace(
                "<nom-organisme>Les Petits Débrouillards Formation</nom-organisme>",
                "<nom-organisme>Les Savants Curieux Formation</nom-organisme>",
            ),
        )
    )
    provider = Provider.objects.get(name="Les Savants Curieux Formation")
    assert report.renamed_provider_ids == {provider.pk}
    assert report.derived_formation_ids == set()
    found = set(search_formations(Formation.objects.all(), "savants curieux").values_list("pk", flat=True))
    assert found == set(provider.formations.values_list("pk", flat=True))
    assert found
