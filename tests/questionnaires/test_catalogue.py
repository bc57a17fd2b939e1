"""The catalogue of questionnaires: definition files published as versions, and the variant that suits a structure."""

import shutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.core.management import CommandError, call_command

from horizon.questionnaires import catalogue, services
from horizon.questionnaires.definition import DefinitionError, load
from horizon.questionnaires.models import QuestionnaireVersion

FIXTURE = Path(__file__).parent / "fixtures" / "sample.yaml"


@pytest.fixture
def definitions_dir(tmp_path, monkeypatch):
    """A definitions folder holding a copy of the sample questionnaire (code « exemple »)."""
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "exemple.yaml")
    monkeypatch.setattr(catalogue, "DEFINITIONS_DIR", folder)
    return folder


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_publish_all_is_idempotent_and_versions_each_change(db, definitions_dir):
    [first] = catalogue.publish_all()
    assert (first.code, first.version.number, first.created) == ("exemple", 1, True)

    [again] = catalogue.publish_all()
    assert (again.version, again.created) == (first.version, False)
    assert QuestionnaireVersion.objects.count() == 1

    _edit(definitions_dir / "exemple.yaml", lambda d: d["sections"][0].update(title="Organisation du travail"))
    [second] = catalogue.publish_all()
    assert (second.version.number, second.created) == (2, True)
    assert catalogue.current_version("exemple") == second.version
    first.version.refresh_from_db()
    assert first.version.content["sections"][0]["title"] == "Organisation"


def test_publish_all_records_the_author(db, definitions_dir):
    from tests.factories.accounts import UserFactory

    user = UserFactory()
    [published] = catalogue.publish_all(user)
    assert published.version.published_by == user


def test_one_invalid_file_publishes_nothing(db, definitions_dir):
    shutil.copy(FIXTURE, definitions_dir / "autre.yaml")
    _edit(definitions_dir / "autre.yaml", lambda d: d.update(code="autre", sections=[]))
    with pytest.raises(services.DefinitionInvalid) as error:
        catalogue.publish_all()
    assert any(message.startswith("autre.yaml : ") for message in error.value.errors)
    assert not QuestionnaireVersion.objects.exists()


def test_the_code_must_be_the_file_name(db, definitions_dir):
    (definitions_dir / "exemple.yaml").rename(definitions_dir / "mal-nomme.yaml")
    with pytest.raises(services.DefinitionInvalid, match="doit être le nom du fichier"):
        catalogue.publish_all()
    with pytest.raises(DefinitionError, match="aucun questionnaire"):
        catalogue.load_definition("exemple")


def test_load_definition_reads_the_file_of_that_code(definitions_dir):
    assert catalogue.load_definition("exemple") == load(FIXTURE)


def test_current_version_is_none_before_any_publication(db):
    assert catalogue.current_version("jamais-publie") is None


def test_command_says_what_it_published(db, definitions_dir, capsys):
    call_command("publish_questionnaires")
    assert "exemple : version 1 publiée" in capsys.readouterr().out
    call_command("publish_questionnaires")
    assert "exemple : déjà à jour (version 1)" in capsys.readouterr().out


def test_command_fails_in_french_on_an_invalid_file(db, definitions_dir):
    (definitions_dir / "exemple.yaml").write_text("code: exemple\ntitle: [", encoding="utf-8")
    with pytest.raises(CommandError, match="Rien n'a été publié"):
        call_command("publish_questionnaires")


def test_the_real_definitions_folder_is_inside_the_app():
    app_folder = Path(catalogue.__file__).parent
    assert app_folder / "definitions" == catalogue.DEFINITIONS_DIR


# --- variant_for: the variant that suits the structure's size, table-tested without the database ----------

SIZED = {
    "variants": [
        {"code": "tpe", "label": "Moins de 11 salariés", "headcount_max": 10},
        {"code": "pme", "label": "11 à 249 salariés", "headcount_min": 11, "headcount_max": 249},
        {"code": "grande", "label": "250 salariés et plus", "headcount_min": 250},
    ]
}


def structure(band="", fte=None):
    return SimpleNamespace(headcount_band=band, headcount_fte=None if fte is None else Decimal(fte))


@pytest.mark.parametrize(
    "band, fte, expected",
    [
        ("", None, "tpe"),  # unknown size: the first variant
        ("NN", None, "tpe"),  # not an employer: 0
        ("00", None, "tpe"),
        ("01", None, "tpe"),  # 1 or 2
        ("03", None, "tpe"),  # 6 to 9
        ("11", None, "pme"),  # 10 to 19: its upper bound, 19
        ("12", None, "pme"),
        ("31", None, "pme"),  # 200 to 249
        ("32", None, "grande"),  # 250 to 499
        ("53", None, "grande"),  # 10,000 and more
        ("11", "7.5", "tpe"),  # the full-time equivalent wins over the band
        ("", "10", "tpe"),
        ("", "10.2", "pme"),  # 10.2 FTE: at least 11 people
        ("", "11", "pme"),
        ("03", "0", "tpe"),
        ("", "300", "grande"),
    ],
)
def test_variant_for_picks_the_variant_whose_bounds_contain_the_headcount(band, fte, expected):
    assert catalogue.variant_for(SIZED, structure(band, fte)) == expected


@pytest.mark.parametrize(
    "definition, expected",
    [
        ({}, ""),  # no variants
        ({"variants": []}, ""),
        ({"variants": [{"code": "a"}, {"code": "b"}]}, "a"),  # no bounds: the first suits everyone
        ({"variants": [{"code": "a", "headcount_min": 50}, {"code": "b", "headcount_min": 100}]}, "a"),  # none suits
        ({"variants": [{"code": "a", "headcount_max": 2}, {"code": "b", "headcount_min": 3}]}, "b"),
    ],
)
def test_variant_for_without_variants_or_matching_bounds(definition, expected):
    assert catalogue.variant_for(definition, structure("02")) == expected


def test_a_structure_larger_than_every_variant_takes_the_nearest_one():
    sized = {
        "variants": [{"code": "tpe", "headcount_max": 10}, {"code": "pme", "headcount_min": 11, "headcount_max": 249}]
    }
    assert catalogue.variant_for(sized, structure("32")) == "pme"  # 250 to 499 staff
