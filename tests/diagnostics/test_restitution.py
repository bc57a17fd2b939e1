"""The restitution's logic, without the database: next steps, strengths, axes de progrès, change since the previous
diagnostic, themes that could not be rated, needs, and the maturity chart's SVG."""

from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from horizon.diagnostics import restitution
from horizon.diagnostics.charts import NARROW_WIDTH, ChartRow, maturity_chart, wrap
from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.restitution import DOWN, NEW, SAME, UNRATED, UP
from horizon.questionnaires import catalogue

SVG = "{http://www.w3.org/2000/svg}"


def _dimension(code, label=None, **extra):
    return {
        "code": code,
        "label": label or code.capitalize(),
        "intro": f"Pourquoi {code} compte.",
        "levels_content": [
            {"level": level, "meaning": f"{code} : état {level}", "next_step": f"{code} : étape après {level}"}
            for level in range(5)
        ],
        "financing": [{"label": "OPCO", "description": "Appui de votre OPCO."}],
        "resources": [{"label": "Modèle", "description": "Une trame."}],
        **extra,
    }


DEFINITION = {
    "code": DIAGNOSTIC_CODE,
    "title": "Diagnostic RH",
    "levels": {"min": 0, "max": 4},
    "variants": [{"code": "tpe", "label": "Moins de 11 salariés"}, {"code": "pme", "label": "De 11 à 249 salariés"}],
    "dimensions": [_dimension(code) for code in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")],
}


def result(level, need_support=None, unknown=0, not_applicable=0, scored=None):
    """A stored result as the scoring gives it (need support at level 1 or below unless told)."""
    if need_support is None:
        need_support = (level is not None and level <= 1) or (level is None and unknown > 0)
    scored = (0 if level is None else 3) if scored is None else scored
    return SimpleNamespace(
        level=level, need_support=need_support, unknown=unknown, not_applicable=not_applicable, scored=scored
    )


def themes_at(levels, previous=None, **overrides):
    results = {code: overrides.get(code) or result(level) for code, level in levels.items()}
    return restitution.build_themes(DEFINITION, results, previous)


def codes(themes):
    return [theme.code for theme in themes]


# --- Change since the previous diagnostic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "level", "change", "label"),
    [
        (1, 3, UP, "En progression (+2)"),
        (2, 3, UP, "En progression (+1)"),
        (3, 1, DOWN, "En recul (−2)"),
        (2, 2, SAME, "Stable"),
        (None, 2, NEW, "Évalué pour la première fois"),
        (None, 0, NEW, "Évalué pour la première fois"),
        (2, None, UNRATED, "Non évalué cette fois"),
        (None, None, UNRATED, "Non évalué cette fois"),
    ],
)
def test_compare(previous, level, change, label):
    assert restitution.compare(previous, level) == change
    assert restitution.Delta(previous, level, change).label == label


def test_no_previous_diagnostic_no_delta():
    themes = themes_at({"alpha": 2, "beta": 3})
    assert all(theme.delta is None for theme in themes)
    assert restitution.evolution(themes) is None


def test_delta_from_the_previous_levels_and_themes_absent_before():
    # "zeta" did not exist in the previous version of the questionnaire: it is new.
    previous = {"alpha": 1, "beta": 3, "gamma": 2, "delta": None, "epsilon": 2}
    themes = themes_at({"alpha": 3, "beta": 2, "gamma": 2, "delta": 1, "epsilon": None, "zeta": 4}, previous)
    by_code = {theme.code: theme.delta for theme in themes}
    assert [(d.previous_level, d.level, d.change) for d in by_code.values()] == [
        (1, 3, UP),
        (3, 2, DOWN),
        (2, 2, SAME),
        (None, 1, NEW),
        (2, None, UNRATED),
        (None, 4, NEW),
    ]
    groups = restitution.evolution(themes)
    assert [codes(getattr(groups, name)) for name in ("up", "down", "same", "new", "unrated")] == [
        ["alpha"],
        ["beta"],
        ["gamma"],
        ["delta", "zeta"],
        ["epsilon"],
    ]


# --- Level, meaning and next step ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "meaning", "next_step", "title"),
    [
        (0, "alpha : état 0", "alpha : étape après 0", "Prochaine étape"),
        (2, "alpha : état 2", "alpha : étape après 2", "Prochaine étape"),
        (3, "alpha : état 3", "alpha : étape après 3", "Prochaine étape"),
        (4, "alpha : état 4", "alpha : étape après 4", "Pour garder ce niveau"),
    ],
)
def test_next_step_of_the_current_level(level, meaning, next_step, title):
    (theme,) = restitution.build_themes(
        {**DEFINITION, "dimensions": DEFINITION["dimensions"][:1]}, {"alpha": result(level)}
    )
    assert (theme.meaning, theme.next_step, theme.next_step_title) == (meaning, next_step, title)
    assert theme.level_text == f"Niveau {level} sur 4"
    assert theme.is_top == (level == 4)


@pytest.mark.parametrize(
    ("unknown", "not_applicable", "meaning", "next_step"),
    [
        (3, 0, restitution.UNKNOWN_MEANING, restitution.UNKNOWN_NEXT_STEP),
        (2, 1, restitution.UNKNOWN_MEANING, restitution.UNKNOWN_NEXT_STEP),
        (0, 2, restitution.NOT_APPLICABLE_MEANING, ""),
        (0, 0, restitution.UNANSWERED_MEANING, restitution.UNANSWERED_NEXT_STEP),
    ],
)
def test_theme_not_rated_says_why(unknown, not_applicable, meaning, next_step):
    dimension = DEFINITION["dimensions"][0]
    assert restitution.level_content(dimension, None, 4, unknown, not_applicable) == (meaning, next_step)


def test_all_unknown_theme():
    all_unknown = result(None, unknown=4)
    themes = restitution.build_themes(DEFINITION, {"alpha": result(3), "beta": all_unknown})
    beta = themes[1]
    assert beta.level is None and not beta.is_rated
    assert beta.level_text == "Non évalué"
    assert beta.need_support
    assert beta.meaning == restitution.UNKNOWN_MEANING
    assert beta.next_step_title == "Prochaine étape"
    assert beta.counts_text == "4 réponses « Je ne sais pas »"
    assert beta in restitution.progress_axes(themes)
    assert beta not in restitution.strengths(themes)


def test_missing_result_is_not_rated():
    (theme, *_) = restitution.build_themes(DEFINITION, {})
    assert theme.level is None and theme.meaning == restitution.UNANSWERED_MEANING and not theme.need_support


@pytest.mark.parametrize(
    ("unknown", "not_applicable", "text"),
    [
        (0, 0, ""),
        (1, 0, "1 réponse « Je ne sais pas »"),
        (0, 1, "1 réponse « Non applicable »"),
        (2, 3, "2 réponses « Je ne sais pas » · 3 réponses « Non applicable »"),
    ],
)
def test_counts_text(unknown, not_applicable, text):
    themes = restitution.build_themes(DEFINITION, {"alpha": result(2, unknown=unknown, not_applicable=not_applicable)})
    assert themes[0].counts_text == text
    assert (themes[0].unknown, themes[0].not_applicable) == (unknown, not_applicable)


def test_financing_and_resources_are_carried():
    theme = themes_at({"alpha": 2})[0]
    assert theme.financing == (restitution.Entry("OPCO", "Appui de votre OPCO."),)
    assert theme.resources == (restitution.Entry("Modèle", "Une trame."),)
    assert theme.intro == "Pourquoi alpha compte."
    assert theme.anchor == "theme-alpha"


# --- Strengths and axes de progrès --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "flagged", "strengths", "axes"),
    [
        # Highest first for strengths, lowest first for axes; the definition's order between equals.
        (
            {"alpha": 3, "beta": 4, "gamma": 2, "delta": 0, "epsilon": 1, "zeta": 4},
            (),
            ["beta", "zeta", "alpha"],
            ["delta", "epsilon"],
        ),
        # Support asked for at level 3: both a strength and an axe de progrès.
        ({"alpha": 3, "beta": 2, "gamma": 2, "delta": 2, "epsilon": 2, "zeta": 2}, ("alpha",), ["alpha"], ["alpha"]),
        # A support need at level 2 comes after the lower levels.
        (
            {"alpha": 2, "beta": 1, "gamma": 2, "delta": 2, "epsilon": 2, "zeta": 0},
            ("gamma",),
            [],
            ["zeta", "beta", "gamma"],
        ),
        # Nothing stands out.
        ({"alpha": 2, "beta": 2, "gamma": 2, "delta": 2, "epsilon": 2, "zeta": 2}, (), [], []),
    ],
)
def test_strengths_and_axes(levels, flagged, strengths, axes):
    results = {code: result(level, need_support=(level <= 1 or code in flagged)) for code, level in levels.items()}
    themes = restitution.build_themes(DEFINITION, results)
    assert codes(restitution.strengths(themes)) == strengths
    assert codes(restitution.progress_axes(themes)) == axes


def test_axes_put_themes_not_rated_last():
    results = {"alpha": result(None, unknown=2), "beta": result(1), "gamma": result(0), "delta": result(3)}
    themes = restitution.build_themes(DEFINITION, results)
    assert codes(restitution.progress_axes(themes)) == ["gamma", "beta", "alpha"]


# --- Needs, variants ----------------------------------------------------------------------------------------


def test_need_items_in_the_programme_order_with_labels():
    needs = [("management", ["beta"]), ("fiche_de_poste", ["alpha", "gamma"]), ("ancien_theme", ["delta"])]
    items = restitution.need_items(DEFINITION, needs)
    assert [(item.theme, item.label, item.dimensions) for item in items] == [
        ("fiche_de_poste", "Fiche de poste", ("Alpha", "Gamma")),
        ("management", "Management", ("Beta",)),
        ("ancien_theme", "ancien_theme", ("Delta",)),
    ]


@pytest.mark.parametrize(
    ("code", "label"), [("tpe", "Moins de 11 salariés"), ("pme", "De 11 à 249 salariés"), ("", ""), ("autre", "autre")]
)
def test_variant_label(code, label):
    assert restitution.variant_label(DEFINITION, code) == label


def test_real_definition_has_content_for_every_level():
    definition = catalogue.load_definition(DIAGNOSTIC_CODE)
    for level in range(5):
        results = {dimension["code"]: result(level) for dimension in definition["dimensions"]}
        themes = restitution.build_themes(definition, results)
        assert len(themes) == 11
        assert all(theme.meaning and theme.next_step and theme.financing and theme.resources for theme in themes)


# --- Chart --------------------------------------------------------------------------------------------------


ROWS = [
    ChartRow("Organisation du travail et fiches de poste", 3, 1),
    ChartRow("Santé <script>alert('x')</script> & QVCT", 2, 2),
    ChartRow("Un thème « Je ne sais pas »", None, 3),
    ChartRow("Nouveau thème", 4, None),
]


def parse(svg):
    return ElementTree.fromstring(str(svg))


def texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("width", [600, NARROW_WIDTH])
def test_chart_is_accessible_well_formed_svg(width):
    svg = maturity_chart(ROWS, previous_label="Niveau au diagnostic précédent", id_prefix="essai", width=width)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "essai-titre"
    assert root.get("aria-describedby") == "essai-description"
    assert root.find(f"{SVG}title").get("id") == "essai-titre"
    assert root.find(f"{SVG}title").text == "Profil de maturité par thème"
    assert "4 thèmes" in root.find(f"{SVG}desc").text
    assert root.get("viewBox").startswith(f"0 0 {width} ")


def test_chart_shows_each_theme_and_its_level_in_words():
    root = parse(maturity_chart(ROWS, previous_label="Diagnostic précédent", width=600))
    words = " ".join(texts(root))
    for row in ROWS:
        assert row.label in words
    assert [t for t in texts(root) if "sur 4" in t or t == "Non évalué"] == [
        "3 sur 4",
        "2 sur 4",
        "Non évalué",
        "4 sur 4",
    ]
    # One diamond per theme rated before, plus the one in the legend.
    assert len(list(root.iter(f"{SVG}polygon"))) == 3 + 1
    # Level 0 to 4 on the scale, above and below the bars.
    assert [t for t in texts(root) if t in {"0", "1", "2", "3", "4"}] == ["0", "1", "2", "3", "4"] * 2


def test_chart_escapes_text():
    svg = str(maturity_chart(ROWS, title="Profil <b>", previous_label="Diagnostic du 3 mars & après"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; QVCT" in svg
    assert "Profil &lt;b&gt;" in svg
    assert "Diagnostic du 3 mars &amp; après" in svg


def test_chart_without_previous_diagnostic_has_no_marker():
    root = parse(maturity_chart(ROWS))
    assert list(root.iter(f"{SVG}polygon")) == []
    assert "losange" not in root.find(f"{SVG}desc").text


def test_chart_font_is_set_only_when_asked():
    assert parse(maturity_chart(ROWS)).get("font-family") is None
    assert parse(maturity_chart(ROWS, font_family="DejaVu Sans")).get("font-family") == "DejaVu Sans"


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Management et fonction RH", 40, ["Management et fonction RH"]),
        (
            "Anticipation des emplois et des compétences (GPEC)",
            30,
            ["Anticipation des emplois et", "des compétences (GPEC)"],
        ),
        ("Intercommunalité", 5, ["Intercommunalité"]),
        ("", 10, [""]),
    ],
)
def test_wrap(text, width, lines):
    assert wrap(text, width) == lines
