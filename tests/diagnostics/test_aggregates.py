"""Aggregates of the HR diagnostic: the small-group rule (pure), the assembly of grouped counts (pure), then the
queries on a small built dataset (latest diagnostics only, territory and sector filters, masking, query count)."""

import pytest

from horizon.diagnostics.aggregates import (
    Figure,
    Masked,
    assemble,
    diagnostic_aggregates,
    figure,
    level_labels,
    masked_cells,
    masks,
)
from horizon.programmes.enums import ProgrammeTheme
from horizon.referentials.models import ProgrammeSector
from tests.factories.diagnostics import diagnostic_version, submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.referentials import ProgrammeSectorFactory
from tests.factories.territories import CommuneFactory, DepartementFactory, EpciFactory
from tests.queries import count_queries

# --- The small-group rule, without the database ---------------------------------------------------------------


@pytest.mark.parametrize(
    "count, group, k, entitled, need, masked",
    [
        # A group below k: every figure is masked for someone not entitled to the rows.
        (4, 4, 5, False, False, True),
        (1, 4, 5, False, False, True),
        (0, 4, 5, False, True, True),
        (0, 0, 5, False, False, True),
        # A group of k or more: figures of the group are shown…
        (5, 5, 5, False, False, False),
        (2, 8, 5, False, False, False),  # a level of the distribution describes the group
        # …but a need count between 1 and k - 1 is masked.
        (1, 8, 5, False, True, True),
        (4, 8, 5, False, True, True),
        (5, 8, 5, False, True, False),
        (8, 8, 5, False, True, False),
        (0, 8, 5, False, True, False),  # "none of them": says something of the whole group, not of a few
        # The threshold is the setting's k.
        (2, 2, 2, False, True, False),
        (2, 2, 3, False, False, True),
        (9, 9, 10, False, False, True),
        # Coordinators, entitled to the rows, see everything.
        (1, 1, 5, True, False, False),
        (1, 8, 5, True, True, False),
        (0, 0, 5, True, False, False),
    ],
)
def test_masks(count, group, k, entitled, need, masked):
    assert masks(count, group, k=k, entitled=entitled, need=need) is masked
    shown = figure(count, group, k=k, entitled=entitled, total=group, need=need)
    assert shown.masked is masked
    assert isinstance(shown, Masked if masked else Figure)


@pytest.mark.parametrize(
    "k, reason", [(5, "moins de 5 structures : donnée masquée"), (3, "moins de 3 structures : donnée masquée")]
)
def test_a_masked_figure_says_why_with_the_setting_k(k, reason):
    value = figure(1, 2, k=k, entitled=False)
    assert value.reason == reason
    assert str(value) == "donnée masquée"


@pytest.mark.parametrize(
    "count, total, percent",
    [(1, 8, 13), (3, 8, 38), (1, 3, 33), (2, 3, 67), (0, 5, 0), (5, 5, 100), (1, 200, 1), (1, 201, 0), (3, None, None)],
)
def test_percent_is_rounded_half_up(count, total, percent):
    assert Figure(count, total).percent == percent


DIMENSIONS = [{"code": "gpec", "label": "GPEC"}, {"code": "qvct", "label": "QVCT"}]
SCALE = {"min": 0, "max": 4}


def rows(*counts):
    return [{"dimension": d, "level": level, "structures": n, "support": s} for d, level, n, s in counts]


def build(structures, level_counts=(), need_counts=None, *, k=5, entitled=False, diagnostics=None):
    return assemble(
        structures=structures,
        diagnostics=structures if diagnostics is None else diagnostics,
        level_counts=rows(*level_counts),
        need_counts=need_counts or {},
        dimensions=DIMENSIONS,
        scale=SCALE,
        k=k,
        entitled=entitled,
    )


@pytest.mark.parametrize(
    "counts, entitled, expected",
    [
        ([6, 0, 0, 0, 0, 0], False, [False] * 6),
        ([5, 5, 0, 0, 0, 0], False, [False] * 6),
        ([2, 0, 0, 4, 0, 0], False, [True, False, False, True, False, False]),  # the lone masked cell takes a partner
        ([2, 3, 6, 0, 0, 0], False, [True, True, False, False, False, False]),  # two masked cells need no partner
        ([1, 5, 7, 0, 0, 0], False, [True, True, False, False, False, False]),  # the smallest partner goes
        ([2, 0, 0, 4, 0, 0], True, [False] * 6),  # a coordinator sees every cell
        ([1, 1, 1, 1, 0, 0], False, [True, True, True, True, True, True]),  # a group below k: everything
    ],
)
def test_masked_cells(counts, entitled, expected):
    assert masked_cells(counts, sum(counts), k=5, entitled=entitled) == expected


def cells(row):
    return {cell.label: cell.figure.count for cell in row.cells}


def test_level_labels():
    assert level_labels({"min": 0, "max": 2}) == [
        (0, "Niveau 0"),
        (1, "Niveau 1"),
        (2, "Niveau 2"),
        (None, "Non évalué"),
    ]


def test_assemble_counts_levels_and_unevaluated_themes():
    result = build(
        6,
        [("gpec", 0, 2, 2), ("gpec", 3, 3, 0), ("gpec", None, 1, 1), ("qvct", 4, 5, 0), ("old", 2, 6, 1)],
        {"gpec": 3, "afest": 0},
        diagnostics=9,
        entitled=True,
    )
    assert [row.code for row in result.dimensions] == ["gpec", "qvct", "old"]  # the version's order, then others
    gpec, qvct, old = result.dimensions
    assert cells(gpec) == {"Niveau 0": 2, "Niveau 1": 0, "Niveau 2": 0, "Niveau 3": 3, "Niveau 4": 0, "Non évalué": 1}
    # A structure without a result on a theme counts as "non évalué".
    assert cells(qvct)["Niveau 4"] == 5 and cells(qvct)["Non évalué"] == 1
    assert old.label == "old"
    assert gpec.support.count == 3 and gpec.support.percent == 50
    assert gpec.cells[0].figure.percent == 33
    assert (result.structures.count, result.diagnostics.count) == (6, 9)
    needs = {need.theme: need.figure for need in result.needs}
    assert list(needs) == ProgrammeTheme.values
    assert needs["gpec"].count == 3 and needs["gpec"].percent == 50
    assert needs["afest"].count == 0 and needs["politique_rh"].count == 0
    assert not result.has_masked


def test_assemble_masks_small_needs_of_a_large_enough_group_for_a_funder():
    result = build(6, [("gpec", 0, 2, 2), ("gpec", 3, 4, 0), ("qvct", 1, 6, 6)], {"gpec": 2, "management": 6})
    gpec, qvct = result.dimensions
    assert not result.group_masked and result.has_masked
    assert result.structures.count == 6
    gpec_cells = {cell.label: cell.figure for cell in gpec.cells}
    assert gpec_cells["Niveau 0"].masked  # 2 structures, below k
    assert gpec_cells["Niveau 3"].masked  # else 6 - 2 would give level 0 back
    assert gpec_cells["Niveau 1"].count == 0
    assert cells(qvct)["Niveau 1"] == 6
    assert gpec.support.masked and not qvct.support.masked
    needs = {need.theme: need.figure for need in result.needs}
    assert needs["gpec"].masked
    assert needs["management"].count == 6 and needs["afest"].count == 0


def test_assemble_masks_every_figure_of_a_small_group_for_a_funder():
    result = build(4, [("gpec", 0, 4, 4)], {"gpec": 4})
    assert result.group_masked and result.has_masked
    assert result.structures.masked and result.diagnostics.masked
    assert all(cell.figure.masked for row in result.dimensions for cell in row.cells)
    assert all(row.support.masked for row in result.dimensions)
    assert all(need.figure.masked for need in result.needs)


def test_assemble_shows_everything_to_a_coordinator():
    result = build(4, [("gpec", 0, 4, 4)], {"gpec": 1}, entitled=True)
    assert not result.has_masked
    assert result.structures.count == 4
    assert {need.theme: need.figure.count for need in result.needs}["gpec"] == 1


def test_assemble_with_nothing():
    result = build(0, entitled=True)
    assert result.is_empty and not result.has_masked
    assert all(cell.figure.count == 0 and cell.figure.percent is None for cell in result.dimensions[0].cells)


# --- Queries on a built dataset -------------------------------------------------------------------------------


@pytest.fixture
def places(db):
    gironde = DepartementFactory()
    metropole = EpciFactory()
    return {
        "bordeaux": CommuneFactory(),
        "libourne": CommuneFactory(
            code="33243",
            name="Libourne",
            departement=gironde,
            epci=EpciFactory(siren="243301389", name="CA du Libournais"),
        ),
        "perigueux": CommuneFactory(
            code="24322",
            name="Périgueux",
            departement=DepartementFactory(code="24", name="Dordogne"),
            epci=EpciFactory(siren="200040392", name="CA Le Grand Périgueux", departement_codes="24"),
        ),
        "metropole": metropole,
    }


@pytest.fixture
def sectors(db):
    return {
        "centres": ProgrammeSectorFactory(),
        "enfance": ProgrammeSectorFactory(code="petite_enfance", label="Petite enfance"),
    }


def diagnosed(commune, sector, levels=None, flagged=(), times=1):
    structure = StructureFactory(commune=commune, sector=sector)
    user = employer(structure)
    for _ in range(times):
        submitted_diagnostic(structure, user, levels=levels, flagged=flagged)
    return structure


def level_of(result, dimension, label):
    row = next(row for row in result.dimensions if row.code == dimension)
    return next(cell.figure for cell in row.cells if cell.label == label)


def support_of(result, dimension):
    return next(row.support for row in result.dimensions if row.code == dimension)


def need_of(result, theme):
    return next(need.figure for need in result.needs if need.theme == theme)


def test_only_each_structures_latest_diagnostic_counts(places, sectors):
    structure = StructureFactory(commune=places["bordeaux"], sector=sectors["centres"])
    user = employer(structure)
    submitted_diagnostic(structure, user, levels={"gpec": 0})
    submitted_diagnostic(structure, user, levels={"gpec": 4})
    diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0})
    StructureFactory(commune=places["bordeaux"], sector=sectors["centres"])  # no diagnostic: not covered

    result = diagnostic_aggregates(entitled=True)

    assert result.structures.count == 2
    assert result.diagnostics.count == 3  # the earlier one counts as a diagnostic sent, not in the figures
    assert level_of(result, "gpec", "Niveau 4").count == 1
    assert level_of(result, "gpec", "Niveau 0").count == 1
    assert need_of(result, "gpec").count == 1  # the first structure's earlier need is not current


def test_levels_needs_and_support_are_counted(places, sectors):
    for _ in range(3):
        diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0, "dialogue_social": None})
    for _ in range(2):
        diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 3}, flagged=["gpec"])

    result = diagnostic_aggregates(entitled=True)

    assert result.structures.count == 5
    assert level_of(result, "gpec", "Niveau 0").count == 3
    assert level_of(result, "gpec", "Niveau 0").percent == 60
    assert level_of(result, "gpec", "Niveau 3").count == 2
    assert level_of(result, "dialogue_social", "Non évalué").count == 3
    assert level_of(result, "dialogue_social", "Niveau 2").count == 2
    assert support_of(result, "gpec").count == 5  # a low level or a need flagged by the employer
    assert support_of(result, "sante_securite_qvct").count == 0
    assert need_of(result, "gpec").count == 5 and need_of(result, "gpec").percent == 100
    assert need_of(result, "dialogue_social").count == 3  # nothing known: support needed
    assert need_of(result, "afest").count == 0
    labels = [row.label for row in result.dimensions]
    assert labels[0] == "Organisation du travail et fiches de poste"
    assert len(labels) == len(diagnostic_version().content["dimensions"])


def test_territory_and_sector_filters(places, sectors):
    diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0})
    diagnosed(places["bordeaux"], sectors["enfance"], levels={"gpec": 1})
    diagnosed(places["libourne"], sectors["centres"], levels={"gpec": 2})
    diagnosed(places["perigueux"], sectors["centres"], levels={"gpec": 3})
    gironde, dordogne = places["bordeaux"].departement, places["perigueux"].departement

    def covered(**criteria):
        result = diagnostic_aggregates(entitled=True, **criteria)
        levels = [cell.figure.count for cell in next(r for r in result.dimensions if r.code == "gpec").cells[:5]]
        return result.structures.count, levels, need_of(result, "gpec").count

    assert covered() == (4, [1, 1, 1, 1, 0], 2)
    assert covered(departement=gironde) == (3, [1, 1, 1, 0, 0], 2)
    assert covered(departement=dordogne) == (1, [0, 0, 0, 1, 0], 0)
    assert covered(epci=places["metropole"]) == (2, [1, 1, 0, 0, 0], 2)
    assert covered(departement=gironde, sector=sectors["centres"]) == (2, [1, 0, 1, 0, 0], 1)
    assert covered(epci=places["metropole"], sector=sectors["enfance"]) == (1, [0, 1, 0, 0, 0], 1)
    assert covered(sector=ProgrammeSector.objects.create(code="aide_domicile", label="Aide à domicile")) == (
        0,
        [0, 0, 0, 0, 0],
        0,
    )


def test_a_group_below_k_is_masked_for_a_funder_not_for_a_coordinator(places, sectors, settings):
    settings.SMALL_GROUP_K = 5
    for _ in range(4):
        diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0})

    funder = diagnostic_aggregates(entitled=False)
    assert funder.group_masked
    assert funder.structures.reason == "moins de 5 structures : donnée masquée"
    assert level_of(funder, "gpec", "Niveau 0").masked and need_of(funder, "gpec").masked

    coordinator = diagnostic_aggregates(entitled=True)
    assert not coordinator.has_masked
    assert coordinator.structures.count == 4 and level_of(coordinator, "gpec", "Niveau 0").count == 4


def test_a_small_need_is_masked_in_a_large_enough_group(places, sectors, settings):
    settings.SMALL_GROUP_K = 3
    diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0})
    for _ in range(3):
        diagnosed(places["bordeaux"], sectors["centres"], levels={})

    funder = diagnostic_aggregates(entitled=False)
    assert funder.structures.count == 4
    # One structure at level 0 is masked, and the three at level 2 with it (else 4 - 3 would give it back).
    assert level_of(funder, "gpec", "Niveau 0").masked and level_of(funder, "gpec", "Niveau 2").masked
    assert level_of(funder, "gpec", "Niveau 1").count == 0
    assert level_of(funder, "dialogue_social", "Niveau 2").count == 4
    assert need_of(funder, "gpec").masked and support_of(funder, "gpec").masked
    assert need_of(funder, "gpec").reason == "moins de 3 structures : donnée masquée"
    assert need_of(funder, "afest").count == 0
    assert diagnostic_aggregates(entitled=False, k=5).group_masked  # k can also be given


def test_query_count_does_not_grow_with_the_rows(places, sectors):
    diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": 0})
    few = count_queries(lambda: diagnostic_aggregates(entitled=False, departement=places["bordeaux"].departement))
    for level in range(5):
        diagnosed(places["bordeaux"], sectors["centres"], levels={"gpec": level}, times=2)
        diagnosed(places["libourne"], sectors["enfance"], levels={"gpec": level})
    many = count_queries(lambda: diagnostic_aggregates(entitled=False, departement=places["bordeaux"].departement))
    assert few == many == 4
