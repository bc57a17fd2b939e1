"""Identifiers, names and the structure builder (deterministic, consistent with the sector)."""

from collections import Counter

import pytest
from stdnum.fr import siret as stdnum_siret

from horizon.demo import data
from horizon.demo.generator import build_structures, load_lookups, make_rna, make_siren, make_siret, with_de
from horizon.organisations.identifiers import RNA_RE, validate_siret


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pau", "de Pau"),
        ("Agen", "d'Agen"),
        ("Hendaye", "d'Hendaye"),
        ("Étampes", "d'Étampes"),
        ("Le Bouscat", "du Bouscat"),
        ("Les Eyzies", "des Eyzies"),
        ("La Teste-de-Buch", "de La Teste-de-Buch"),
        ("L'Isle-Jourdain", "de L'Isle-Jourdain"),
    ],
)
def test_with_de(name, expected):
    assert with_de(name) == expected


@pytest.mark.parametrize("number", [0, 1, 7, 42, 999, 30_000, 999_999])
@pytest.mark.parametrize("nic_body", ["0001", "0035"])
def test_make_siret_is_valid_and_never_la_poste(number, nic_body):
    siret = make_siret(number, nic_body)
    validate_siret(siret)
    assert siret[:9] == make_siren(number)
    assert not siret.startswith("356000000")
    assert stdnum_siret.is_valid(siret)


def test_make_rna_has_the_rna_format():
    assert RNA_RE.match(make_rna("33", 12))
    assert make_rna("33", 12) != make_rna("33", 13)


def test_builder_is_deterministic_and_prefix_stable(reference_data):
    lookups = load_lookups()
    first = build_structures(60, lookups)
    again = build_structures(60, lookups)
    shorter = build_structures(20, lookups)
    fields = ("name", "siret", "rna", "commune_id", "headcount_band", "address", "sector_id")
    assert [[getattr(s, f) for f in fields] for s in first] == [[getattr(s, f) for f in fields] for s in again]
    assert [s.name for s in shorter] == [s.name for s in first[:20]]
    other_seed = build_structures(20, lookups, seed=7)
    assert [s.name for s in other_seed] != [s.name for s in shorter]


def test_built_structures_are_plausible(reference_data):
    structures = build_structures(400, load_lookups())
    sirets = [s.siret for s in structures if s.siret]
    assert len(set(sirets)) == len(sirets)
    for siret in sirets:
        validate_siret(siret)
    without_siret = [s for s in structures if not s.siret]
    assert without_siret, "a few associations have only an RNA number"
    assert all(RNA_RE.match(s.rna) and s.legal_category_id.startswith("92") for s in without_siret)
    assert all(s.commune.departement.region_id == data.REGION_CODE for s in structures)
    departements = Counter(s.commune.departement_id for s in structures)
    assert departements.most_common(1)[0][0] == "33"
    assert all(s.legal_category_id and s.naf_id for s in structures)
    assert Counter(s.legal_category_id for s in structures).most_common(1)[0][0] == "9220"
    sectors = Counter(s.sector_id for s in structures)
    assert set(sectors) == {
        "centres_sociaux",
        "animation_sport",
        "medico_social",
        "aide_domicile",
        "petite_enfance",
        None,
    }


def test_agreement_follows_the_structure_kind(reference_data):
    structures = build_structures(400, load_lookups())
    expected_by_sector = {
        "petite_enfance": {"1261"},
        "centres_sociaux": {"1261"},
        "aide_domicile": {"2941"},
        "medico_social": {"0413", "0029"},
        "animation_sport": {"1518", "2511", None},
    }
    for structure in structures:
        if structure.sector_id:
            assert structure.collective_agreement_id in expected_by_sector[structure.sector_id], structure.name
        agreement = structure.collective_agreement
        assert structure.opco == (agreement.opco if agreement else "")
    creches = [s for s in structures if s.sector_id == "petite_enfance"]
    assert creches and all(s.naf_id == "88.91A" for s in creches)
    admr = [s for s in structures if s.name.startswith("ADMR ")]
    assert admr and all(s.sector_id == "aide_domicile" and s.naf_id == "88.10A" for s in admr)
