import json
import shutil

import pytest
from django.core.management.base import CommandError

from horizon.referentials.enums import EssFamily, RomeSkillKind
from horizon.referentials.models import (
    CollectiveAgreement,
    DataLoad,
    LegalCategory,
    LheoCode,
    NafCode,
    Nsf,
    ProgrammeSector,
    RomeAppellation,
    RomeFiche,
    RomeFicheSkill,
    RomeSkill,
)
from tests.factories.referentials import CollectiveAgreementFactory

from .conftest import FIXTURES

MODELS = (
    ProgrammeSector,
    NafCode,
    LegalCategory,
    CollectiveAgreement,
    Nsf,
    LheoCode,
    RomeFiche,
    RomeAppellation,
    RomeSkill,
    RomeFicheSkill,
)


def counts():
    return [model.objects.count() for model in MODELS]


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the fixtures, to change a file."""
    copy = tmp_path / "data"
    shutil.copytree(FIXTURES, copy)
    return copy


def test_load_reads_every_file(load_referentials):
    output = load_referentials()

    assert counts() == [5, 3, 3, 11, 3, 19, 2, 4, 9, 9]
    assert "Fiches ROME : 2 lignes ; 2 ajoutées, 0 modifiée" in output
    assert "Compétences des fiches ROME : 1 lien ignoré (code inconnu)" in output


def test_programme_sectors_come_in_their_order(load_referentials):
    load_referentials()

    assert list(ProgrammeSector.objects.values_list("code", flat=True)) == [
        "centres_sociaux",
        "animation_sport",
        "medico_social",
        "aide_domicile",
        "petite_enfance",
    ]


def test_referential_rows(load_referentials):
    load_referentials()

    naf = NafCode.objects.get(code="88.99B")
    assert (naf.division_code, naf.section_code, naf.nomenclature) == ("88", "Q", "NAFRev2")
    assert LegalCategory.objects.get(code="9220").ess_family == EssFamily.ASSOCIATION
    assert LegalCategory.objects.get(code="5710").ess_family == EssFamily.OTHER
    assert LheoCode.objects.get(dictionary="dict-niveaux", code="14").label.startswith("Niveau 4.")


def test_collective_agreements_link_their_sector(load_referentials):
    load_referentials()

    alisfa = CollectiveAgreement.objects.get(idcc="1261")
    assert (alisfa.short_name, alisfa.opco, alisfa.sector_id) == ("ALISFA", "Uniformation", "centres_sociaux")
    assert CollectiveAgreement.objects.get(idcc="0413").sector_id == "medico_social"
    assert CollectiveAgreement.objects.get(idcc="2336").sector is None
    assert not CollectiveAgreement.objects.filter(sector="petite_enfance").exists()


def test_rome(load_referentials):
    load_referentials()

    fiche = RomeFiche.objects.get(code="K1201")
    assert (fiche.label, fiche.domain_code, fiche.domain_label) == (
        "Assistant social / Assistante sociale",
        "K12",
        "Action sociale, socio-éducative et socio-culturelle",
    )
    assert fiche.appellations.count() == 4
    kinds = {kind: fiche.skills.filter(kind=kind).count() for kind in RomeSkillKind.values}
    assert kinds == {"savoir_faire": 3, "savoir_etre": 3, "savoir": 3}
    assert list(fiche.skill_links.filter(is_core=True).values_list("skill_id", flat=True)) == ["107907"]
    assert RomeSkill.objects.get(code="100541").category  # savoirs carry their category


def test_second_run_is_skipped_and_force_upserts_without_duplicates(load_referentials):
    load_referentials()
    before = counts()

    assert load_referentials().strip() == "Référentiels : déjà à jour."

    CollectiveAgreement.objects.filter(idcc="1261").update(opco="")
    output = load_referentials(force=True)

    assert counts() == before
    assert "Conventions collectives : 11 lignes ; 0 ajoutée, 1 modifiée" in output
    assert CollectiveAgreement.objects.get(idcc="1261").opco == "Uniformation"
    assert DataLoad.objects.filter(name="referentials").count() == 1


def test_rows_made_by_hand_are_brought_in_line_with_the_files(load_referentials):
    CollectiveAgreementFactory(idcc="1261", title="Titre provisoire")

    output = load_referentials()

    assert "Conventions collectives : 11 lignes ; 10 ajoutées, 1 modifiée" in output
    assert CollectiveAgreement.objects.get(idcc="1261").title.startswith("Convention collective nationale des acteurs")


def test_links_that_left_the_file_are_removed(load_referentials, data_dir):
    load_referentials()
    links = data_dir / "rome" / "rome_liens_fiche_items.csv"
    links.write_text("".join(line for line in links.open() if '"107834"' not in line))

    output = load_referentials(data_dir=data_dir)

    assert "Compétences des fiches ROME : 8 lignes ; 0 ajoutée, 0 modifiée, 1 supprimée" in output
    assert not RomeFicheSkill.objects.filter(skill="107834").exists()


def test_competence_and_savoir_sharing_an_ogr_code_stop_the_load(load_referentials, data_dir):
    savoirs = data_dir / "rome" / "rome_savoirs.csv"
    savoirs.write_text(savoirs.read_text().replace('"100541"', '"107834"'))

    with pytest.raises(CommandError, match="rome_savoirs.csv, ligne 2 : le code OGR « 107834 » est aussi celui"):
        load_referentials(data_dir=data_dir)
    assert counts() == [0] * len(MODELS)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("legal/categories_juridiques.csv", ",association,", ",club,", "famille ESS inconnue « club »"),
        ("sectors/conventions_collectives.csv", ",centres_sociaux,", ",creches,", "secteur du programme inconnu"),
        ("rome/rome_competences.csv", '"Savoir-faire"', '"Savoir-vivre"', "catégorie de compétence inconnue"),
        ("rome/rome_appellations.csv", '"K1201"', '"K9999"', "fiche ROME inconnue « K9999 »"),
        ("formation/nsf.csv", "\n110,", "\n100,", "nsf.csv, ligne 3 : « 100 » figure deux fois."),
    ],
)
def test_bad_row_aborts_the_whole_load(load_referentials, data_dir, file, old, new, message):
    path = data_dir / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))

    with pytest.raises(CommandError, match=message):
        load_referentials(data_dir=data_dir)
    assert counts() == [0] * len(MODELS)


def test_malformed_json_is_reported(load_referentials, data_dir):
    (data_dir / "formation" / "lheo_dictionaries.json").write_text('{"dict-boolean": ')

    with pytest.raises(CommandError, match="lheo_dictionaries.json, ligne 1 : JSON invalide"):
        load_referentials(data_dir=data_dir)


def test_json_of_the_wrong_shape_is_reported(load_referentials, data_dir):
    (data_dir / "formation" / "lheo_dictionaries.json").write_text(json.dumps(["dict-boolean"]))

    with pytest.raises(CommandError, match="un objet .* est attendu"):
        load_referentials(data_dir=data_dir)


def test_file_not_in_utf8_is_reported(load_referentials, data_dir):
    path = data_dir / "naf" / "naf_rev2.csv"
    path.write_bytes(path.read_text().encode("latin-1"))

    with pytest.raises(CommandError, match="naf_rev2.csv, ligne .* : le fichier n'est pas en UTF-8."):
        load_referentials(data_dir=data_dir)
