"""Questionnaire definitions: YAML files in the repository, checked against the rules below.

A definition holds `code`, `title`, optional `variants` (e.g. TPE / PME), `levels` (the maturity scale of the
dimensions, e.g. 0 to 4), `dimensions` (what is scored: code, label, `need_threshold`), and `sections` of
`questions`. A question has a stable `name`, a `type`, a `label`, optional `help`, `evidence` (a document may be
attached), `variants` (the variants it belongs to), `show_if` (see conditions.py), `dimension` (defaults to its
section's), `weight`, and what its type needs:

    single_choice    choices: [{value, label, points}]
    multiple_choice  choices: [{value, label, points}]              (points add up)
    ladder           levels: [{value: 0..n, label, description}]     (points = value)
    scale            min, max, optional min_label / max_label        (points = value)
    number           optional unit, min, max                         (not scored)
    short_text, long_text                                            (not scored)
    yes_no           optional points: {yes: P, no: P}; need_if: yes|no flags a need for support

`allow_na` and `allow_unknown` add "Non applicable" and "Je ne sais pas" (ladders and yes/no have both unless
set to false). Such answers are kept but never scored.

Optional content for the restitution, checked when present:

    variants[]    headcount_min, headcount_max      whole numbers (≥ 0), min ≤ max: the staff sizes it suits
    need_themes   [{code, label}]                   the programme's themes of need (what training offers match)
    dimensions[]  intro                             a text: why the dimension matters
                  levels_content: [{level, meaning, next_step}]
                                                    exactly one entry per level of `levels` (min to max), each
                                                    saying what the level looks like and the next step to take
                  need_themes: [codes]              codes of the top-level `need_themes` this dimension feeds
                  financing, resources: [{label, description}]
"""

import hashlib
import json
from pathlib import Path

import yaml

from .conditions import COMBINATORS, OPERATORS, referenced_questions

QUESTION_TYPES = ("single_choice", "multiple_choice", "ladder", "scale", "number", "short_text", "long_text", "yes_no")
SCORED_TYPES = ("single_choice", "multiple_choice", "ladder", "scale", "yes_no")
NOT_APPLICABLE, UNKNOWN = "na", "unknown"
SPECIAL_ANSWERS = {NOT_APPLICABLE: "Non applicable", UNKNOWN: "Je ne sais pas"}


class DefinitionError(Exception):
    """A definition file that cannot be read; the message is in French."""


def load(path):
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name} : lecture impossible ({exc}).") from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name} : YAML invalide ({exc}).") from exc
    if not isinstance(data, dict):
        raise DefinitionError(f"{path.name} : le fichier doit décrire un questionnaire (un dictionnaire YAML).")
    return data


def content_hash(definition):
    """A fingerprint of the content: two definitions with the same hash ask and score exactly the same."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def questions(definition):
    """Each question, in order, with its dimension resolved (None when it is not scored)."""
    for section in definition.get("sections", []):
        for question in section.get("questions", []):
            yield {**question, "dimension": question.get("dimension", section.get("dimension"))}


def allows(question, special):
    """Whether "Non applicable" (na) / "Je ne sais pas" (unknown) is offered for this question."""
    default = question["type"] in ("ladder", "yes_no")
    return bool(question.get(f"allow_{special}", default))


def points_range(question):
    """(lowest, highest) points of a scored question, or None when it does not score."""
    kind = question["type"]
    if kind in ("single_choice", "multiple_choice"):
        points = [choice.get("points") for choice in question.get("choices", [])]
        if not points or None in points:
            return None
        if kind == "multiple_choice":
            return sum(p for p in points if p < 0), sum(p for p in points if p > 0)
        return min(points), max(points)
    if kind == "ladder":
        values = [level["value"] for level in question.get("levels", [])]
        return (min(values), max(values)) if values else None
    if kind == "scale":
        return question["min"], question["max"]
    if kind == "yes_no" and "points" in question:
        return min(question["points"].values()), max(question["points"].values())
    return None


# --- Validation ---------------------------------------------------------------------------------------------


def validate(definition):
    """Every problem of a definition, as French sentences naming the place ("sections[1].questions[0]…")."""
    errors = []
    for key in ("code", "title", "sections"):
        if not definition.get(key):
            errors.append(f"« {key} » est obligatoire.")
    variants = {v.get("code") for v in definition.get("variants", [])}
    levels = definition.get("levels", {"min": 0, "max": 4})
    scale_ok = (
        isinstance(levels.get("min"), int) and isinstance(levels.get("max"), int) and levels["min"] < levels["max"]
    )
    if not scale_ok:
        errors.append("« levels » : min et max entiers, min < max.")
    errors += _validate_variants(definition.get("variants", []))
    need_themes, need_errors = _validate_need_themes(definition.get("need_themes"))
    errors += need_errors
    dimensions = {}
    for index, dimension in enumerate(definition.get("dimensions", [])):
        code = dimension.get("code")
        if not code or not dimension.get("label"):
            errors.append(f"dimensions[{index}] : « code » et « label » sont obligatoires.")
        elif code in dimensions:
            errors.append(f"dimensions[{index}] : la dimension « {code} » est déclarée deux fois.")
        dimensions[code] = dimension
        scale = (levels["min"], levels["max"]) if scale_ok else None
        errors += _validate_dimension_content(dimension, f"dimensions[{index}] ({code})", scale, need_themes)
    seen = {}
    for s_index, section in enumerate(definition.get("sections") or []):
        place = f"sections[{s_index}]"
        if not section.get("title"):
            errors.append(f"{place} : « title » est obligatoire.")
        if section.get("dimension") and section["dimension"] not in dimensions:
            errors.append(f"{place} : dimension inconnue « {section['dimension']} ».")
        for q_index, question in enumerate(section.get("questions") or []):
            q_place = f"{place}.questions[{q_index}]"
            dimension = question.get("dimension", section.get("dimension"))
            errors += _validate_question(question, q_place, dimension, dimensions, variants, seen)
            if question.get("name"):
                seen[question["name"]] = question
    if not any(True for _ in questions(definition)):
        errors.append("Le questionnaire ne contient aucune question.")
    return errors


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_variants(variants):
    errors = []
    for index, variant in enumerate(variants):
        place = f"variants[{index}] ({variant.get('code')})"
        bounds = {key: variant[key] for key in ("headcount_min", "headcount_max") if key in variant}
        wrong = [key for key, value in bounds.items() if not _is_whole(value) or value < 0]
        if wrong:
            errors.append(f"{place} : « {', '.join(wrong)} » doit être un nombre entier de salariés (0 ou plus).")
        elif len(bounds) == 2 and bounds["headcount_min"] > bounds["headcount_max"]:
            errors.append(f"{place} : « headcount_min » doit être inférieur ou égal à « headcount_max ».")
    return errors


def _validate_need_themes(need_themes):
    """(the declared need theme codes, errors) for the top-level `need_themes` list."""
    if need_themes is None:
        return set(), []
    if not isinstance(need_themes, list):
        return set(), ["« need_themes » est une liste de thèmes {code, label}."]
    codes, errors = set(), []
    for index, theme in enumerate(need_themes):
        if not isinstance(theme, dict) or not theme.get("code") or not theme.get("label"):
            errors.append(f"need_themes[{index}] : « code » et « label » sont obligatoires.")
        elif theme["code"] in codes:
            errors.append(f"need_themes[{index}] : le thème « {theme['code']} » est déclaré deux fois.")
        else:
            codes.add(theme["code"])
    return codes, errors


def _filled(entry, *keys):
    return isinstance(entry, dict) and all(isinstance(entry.get(key), str) and entry[key].strip() for key in keys)


def _validate_dimension_content(dimension, place, scale, need_themes):
    """The restitution content of a dimension, each key checked only when present."""
    errors = []
    if "intro" in dimension and not _filled(dimension, "intro"):
        errors.append(f"{place} : « intro » est un texte non vide.")
    if "levels_content" in dimension and scale is not None:
        entries = dimension["levels_content"] if isinstance(dimension["levels_content"], list) else []
        expected = list(range(scale[0], scale[1] + 1))
        found = [entry.get("level") if isinstance(entry, dict) else None for entry in entries]
        if not all(_is_whole(level) for level in found) or sorted(found) != expected:
            errors.append(
                f"{place} : « levels_content » décrit chaque niveau de {scale[0]} à {scale[1]}, une fois chacun."
            )
        for entry in entries:
            if not _filled(entry, "meaning", "next_step"):
                level = entry.get("level") if isinstance(entry, dict) else "?"
                errors.append(
                    f"{place} : le niveau {level} de « levels_content » a un « meaning » et un « next_step »."
                )
    if "need_themes" in dimension:
        codes = dimension["need_themes"] if isinstance(dimension["need_themes"], list) else [dimension["need_themes"]]
        unknown = [str(code) for code in codes if not isinstance(code, str) or code not in need_themes]
        if unknown:
            errors.append(f"{place} : thème(s) de besoin inconnu(s) : {', '.join(unknown)}.")
    for key in ("financing", "resources"):
        if key not in dimension:
            continue
        entries = dimension[key] if isinstance(dimension[key], list) else [None]
        if not all(_filled(entry, "label", "description") for entry in entries):
            errors.append(f"{place} : chaque entrée de « {key} » a un « label » et une « description ».")
    return errors


def _validate_question(question, place, dimension, dimensions, variants, seen):
    errors = []
    name, kind = question.get("name"), question.get("type")
    if not name or not isinstance(name, str) or not name.replace("_", "").isalnum() or not name.islower():
        errors.append(f"{place} : « name » doit être un identifiant stable en minuscules (lettres, chiffres, _).")
    elif name in seen:
        errors.append(f"{place} : le nom « {name} » est déjà utilisé par une autre question.")
    if not question.get("label"):
        errors.append(f"{place} : « label » est obligatoire.")
    if kind not in QUESTION_TYPES:
        return [*errors, f"{place} : type inconnu « {kind} » (types possibles : {', '.join(QUESTION_TYPES)})."]
    place = f"{place} ({name})"
    if kind in ("single_choice", "multiple_choice"):
        values = [choice.get("value") for choice in question.get("choices") or []]
        if len(values) < 2 or None in values or not all(choice.get("label") for choice in question["choices"]):
            errors.append(f"{place} : au moins deux choix, chacun avec « value » et « label ».")
        elif len(set(values)) != len(values):
            errors.append(f"{place} : deux choix ont la même valeur.")
    if kind == "ladder":
        values = [level.get("value") for level in question.get("levels") or []]
        if len(values) < 2 or not all(isinstance(v, int) for v in values) or values != sorted(set(values)):
            errors.append(f"{place} : une échelle a au moins deux niveaux aux valeurs entières croissantes.")
        if not all(level.get("label") for level in question.get("levels") or []):
            errors.append(f"{place} : chaque niveau de l'échelle a un « label ».")
    if kind == "scale" and not (
        isinstance(question.get("min"), int)
        and isinstance(question.get("max"), int)
        and question["min"] < question["max"]
    ):
        errors.append(f"{place} : une échelle numérique a « min » < « max », entiers.")
    if kind == "yes_no":
        if "points" in question and set(question["points"]) != {"yes", "no"}:
            errors.append(f"{place} : « points » donne les points de « yes » et de « no ».")
        if question.get("need_if") not in (None, "yes", "no"):
            errors.append(f"{place} : « need_if » vaut « yes » ou « no ».")
    if dimension is not None:
        if dimension not in dimensions:
            errors.append(f"{place} : dimension inconnue « {dimension} ».")
        elif kind in SCORED_TYPES and points_range(question) is None and not question.get("need_if"):
            errors.append(f"{place} : une question notée doit donner des points à chaque réponse.")
    unknown_variants = set(question.get("variants", [])) - variants
    if unknown_variants:
        errors.append(f"{place} : variante(s) inconnue(s) : {', '.join(sorted(unknown_variants))}.")
    if "show_if" in question:
        errors += _validate_condition(question["show_if"], place, seen, variants)
    return errors


def _validate_condition(condition, place, seen, variants):
    if not isinstance(condition, dict) or len(condition.keys() & {*COMBINATORS, "question", "variant"}) != 1:
        return [f"{place} : condition « show_if » mal formée ({condition})."]
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        if not isinstance(parts, list) or not parts:
            return [f"{place} : « all » / « any » attend une liste de conditions."]
        return [error for part in parts for error in _validate_condition(part, place, seen, variants)]
    if "not" in condition:
        return _validate_condition(condition["not"], place, seen, variants)
    if "variant" in condition:
        wanted = condition["variant"] if isinstance(condition["variant"], list) else [condition["variant"]]
        return [f"{place} : variante inconnue dans la condition : {v}." for v in wanted if v not in variants]
    if len(condition.keys() & set(OPERATORS)) != 1:
        return [f"{place} : la condition sur « {condition['question']} » attend equals, in ou answered."]
    errors = []
    for name in referenced_questions(condition):
        if name not in seen:
            errors.append(f"{place} : la condition porte sur « {name} », qui n'est pas une question posée avant.")
    return errors
