import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from horizon.referentials.models import DataLoad
from horizon.territories.models import Commune, CommuneSearchKey, Departement, Epci, PostalCode, Region

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Region, Departement, Epci, Commune, CommuneSearchKey, PostalCode)]


def test_load_reads_every_file(load_territories):
    output = load_territories()

    assert counts() == [5, 5, 6, 9, 6, 19]
    assert "Communes : 9 lignes ; 9 ajoutées, 0 modifiée" in output
    bordeaux = Commune.objects.get(code="33063")
    assert (bordeaux.name, bordeaux.search_name, bordeaux.departement.region.name) == (
        "Bordeaux",
        "bordeaux",
        "Nouvelle-Aquitaine",
    )
    assert (bordeaux.population, bordeaux.latitude, bordeaux.longitude) == (267991, 44.83802, -0.579635)
    assert bordeaux.epci.name == "Bordeaux Métropole"
    assert sorted(bordeaux.postal_codes.values_list("code", flat=True)) == [
        "33000",
        "33090",
        "33100",
        "33200",
        "33300",
        "33800",
    ]
    assert Commune.objects.get(code="33394").search_name == "saint emilion"
    assert list(Commune.objects.get(code="33394").search_keys.values_list("key", flat=True)) == ["emilion"]


def test_load_maps_epci_kind_and_total_population(load_territories):
    load_territories()

    metropole = Epci.objects.get(siren="243300316")
    assert (metropole.kind, metropole.get_kind_display(), metropole.population) == ("METRO", "Métropole", 854949)


def test_load_keeps_empty_values_empty(load_territories):
    load_territories()

    assert Commune.objects.get(code="85113").epci is None  # L'Île-d'Yeu belongs to no EPCI
    celles = Commune.objects.get(code="15031")
    assert (celles.latitude, celles.longitude) == (None, None)


def test_duplicate_postal_code_takes_the_label_of_the_commune_own_row(load_territories):
    load_territories()

    assert list(PostalCode.objects.filter(code="33330").values_list("commune_id", "label")) == [
        ("33394", "SAINT-EMILION")
    ]


def test_second_run_is_skipped(load_territories):
    load_territories()
    before = counts()

    output = load_territories()

    assert output.strip() == "Territoires : déjà à jour."
    assert counts() == before


def test_force_upserts_again_without_duplicates(load_territories):
    load_territories()
    before = counts()
    Commune.objects.filter(code="33063").update(name="Bordeaux-Ancien", population=1)

    output = load_territories(force=True)

    assert counts() == before
    assert "Communes : 9 lignes ; 0 ajoutée, 1 modifiée" in output
    assert Commune.objects.filter(code="33063").values_list("name", "population").get() == ("Bordeaux", 267991)


def test_changed_file_is_loaded_again_and_stale_postal_codes_go(load_territories, tmp_path):
    load_territories()
    data_dir = tmp_path / "data"
    shutil.copytree(FIXTURES, data_dir)
    postal_codes = data_dir / "territories" / "postal_codes.csv"
    postal_codes.write_text("".join(line for line in postal_codes.open() if not line.startswith("33090,")))

    output = load_territories(data_dir=data_dir)

    assert "Codes postaux : 18 lignes ; 0 ajoutée, 0 modifiée, 1 supprimée" in output
    assert not PostalCode.objects.filter(code="33090").exists()
    assert DataLoad.objects.get(name="territories").summary.startswith("Régions : 5 lignes")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "communes.csv",
            ",33,75,243300316,267991",
            ",99,75,243300316,267991",
            "communes.csv, ligne 3 : département inconnu « 99 ».",
        ),
        ("communes.csv", ",267991,", ",beaucoup,", "communes.csv, ligne 3 : nombre invalide « beaucoup »."),
        ("communes.csv", "33243,Libourne", "33063,Libourne", "communes.csv, ligne 4 : « 33063 » figure deux fois."),
        ("epci.csv", ",METRO,FPU,843738", ",SIVU,FPU,843738", "nature d'EPCI inconnue « SIVU »."),
        ("postal_codes.csv", "33500,33243", "33500,33999", "postal_codes.csv, ligne 8 : commune inconnue « 33999 »."),
        ("regions.csv", "code,nom", "code,name", "regions.csv : colonne(s) manquante(s) : nom."),
    ],
)
def test_bad_row_aborts_the_whole_load(load_territories, tmp_path, file, old, new, message):
    data_dir = tmp_path / "data"
    shutil.copytree(FIXTURES, data_dir)
    path = data_dir / "territories" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_territories(data_dir=data_dir)
    assert counts() == [0, 0, 0, 0, 0, 0]
    assert not DataLoad.objects.exists()


def test_missing_file_is_reported(load_territories, tmp_path):
    with pytest.raises(CommandError, match="Fichier\\(s\\) introuvable\\(s\\)"):
        load_territories(data_dir=tmp_path)


def test_real_files(load_territories):
    """The files in data/ load; the slow test of the suite (a few seconds)."""
    load_territories(data_dir=Path(settings.BASE_DIR) / "data")

    assert Commune.objects.count() > 34000
    bordeaux = Commune.objects.select_related("epci").get(code="33063")
    assert (bordeaux.latitude, bordeaux.longitude) == (44.83802, -0.579635)
    assert bordeaux.epci_id == "243300316"
    assert bordeaux.postal_codes.filter(code="33000").exists()
    assert Commune.objects.search("saint emilion")[0].code == "33394"
