"""The programme themes of a training offer: derived from its codes and words by rules kept as data
(theme_rules.yaml), or chosen by a coordinator.

- `load_rules()` reads and checks the rules file; any fault is reported in French, naming the rule.
- `derive_themes(...)` is pure: codes and texts in, set of theme values out.
- `refresh_derived_themes(ids)` rewrites the derived FormationTheme rows of many offers, a few queries per batch,
  and never touches an offer whose themes a coordinator chose (`themes_edited_at` set).
- `choose_themes()` and `reset_themes()` are what the coordinator's page calls: they write the rows, the
  "chosen by" marks and the offer's history in one transaction.

How keywords are matched: texts and keywords go through the same normalisation (lower case, no accents, words
separated by single spaces, small words such as « de », « la », « des », « d' » dropped). A keyword is a sequence
of words that must follow each other; `word*` is any word starting with `word`, `a|b` is either word, and `...`
stands for up to three other words. A theme's exclusions are blanked out of the texts before its keywords are
searched, so « management de projet » no longer says « management » while « manager une équipe projet » still does.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from horizon.programmes.enums import ProgrammeTheme
from horizon.utils.text import normalize

from .enums import OfferChangeAction, ThemeOrigin
from .models import Formation, FormationTheme, OfferChange

RULES_PATH = Path(__file__).with_name("theme_rules.yaml")
BATCH_SIZE = 1000
RESET_NOTE = "Retour aux thèmes déduits automatiquement"
NO_THEME = "aucun"

# Words too small to carry meaning, dropped from texts and keywords alike: « fiche de poste » = « fiche du poste ».
# fmt: off
STOPWORDS = frozenset({
    "a", "au", "aux", "ce", "ces", "cet", "cette", "d", "de", "des", "du", "et", "l", "la", "le", "les", "leur",
    "leurs", "ma", "mes", "mon", "nos", "notre", "ou", "sa", "ses", "son", "ta", "tes", "ton", "un", "une", "vos",
    "votre",
})
# fmt: on
GAP = "..."
MAX_GAP_WORDS = 3
MIN_STEM_LENGTH = 3
RULE_KEYS = ("formacodes", "nsf", "rome", "keywords", "content_keywords", "exclude", "exclude_codes")
CODE_KEYS = ("formacodes", "nsf", "rome")
CODE_FORMATS = {
    # Formacode: a descriptor (5 digits) or a semantic field (3 digits, every descriptor of the field).
    "formacodes": (re.compile(r"^\d{3}(\d{2})?$"), "5 chiffres (descripteur) ou 3 chiffres (champ sémantique)"),
    # NSF: a speciality (3 digits, optionally a letter); "315" also matches "315t", "315p"…
    "nsf": (re.compile(r"^\d{3}[a-z]?$", re.IGNORECASE), "3 chiffres, éventuellement suivis d'une lettre"),
    # ROME 4.0: a fiche (a letter from A to N, then 4 digits).
    "rome": (re.compile(r"^[A-N]\d{4}$"), "une lettre de A à N suivie de 4 chiffres"),
}
# What a keyword may contain before normalisation: letters (with accents), digits, ' - * | and spaces.
_KEYWORD_CHARS = re.compile(r"^[\w'’\- *|]+$")
_WORD = r"[a-z0-9]+"
# Searched texts start with a space and separate words by one space: a keyword starts after a space (a literal the
# regex engine finds fast, then tries the keywords only there) and ends before a space or the end.
_BOUNDED = " (?:{})(?= |$)"


class ThemeRulesError(Exception):
    """The rules file cannot be used. The message, in French, lists every fault with the rule it is in."""

    def __init__(self, errors, source="theme_rules.yaml"):
        self.errors = list(errors)
        super().__init__(f"{source} : " + " ; ".join(self.errors))


@dataclass(frozen=True)
class Keyword:
    """One keyword as written in the file and the regular expression it stands for on normalised text (its words
    only: a match must also start and end on word boundaries, see `keyword_pattern`)."""

    source: str
    regex: str


@dataclass(frozen=True)
class ThemeRule:
    theme: str
    formacodes: tuple = ()
    nsf: tuple = ()
    rome: tuple = ()
    keywords: tuple = ()
    content_keywords: tuple = ()
    exclude: tuple = ()
    # Offers carrying any of these codes (trades: cooking, retail…) get this theme from their codes only.
    exclude_formacodes: tuple = ()
    exclude_nsf: tuple = ()
    exclude_rome: tuple = ()
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def _pattern(self, name):
        """One compiled alternation per list (searched once per text), built on first use."""
        if name not in self._compiled:
            keywords = getattr(self, name)
            alternation = "|".join(keyword.regex for keyword in keywords)
            self._compiled[name] = re.compile(_BOUNDED.format(alternation)) if keywords else None
        return self._compiled[name]

    def matches_codes(self, formacodes, nsf_codes, rome_codes):
        """Whether any code starts with one of the rule's codes; the codes as `offer_codes` returns them."""
        return (
            _any_prefix(self.formacodes, formacodes)
            or _any_prefix(self.nsf, nsf_codes)
            or _any_prefix(self.rome, rome_codes)
        )

    def words_excluded(self, formacodes, nsf_codes, rome_codes):
        return (
            _any_prefix(self.exclude_formacodes, formacodes)
            or _any_prefix(self.exclude_nsf, nsf_codes)
            or _any_prefix(self.exclude_rome, rome_codes)
        )

    def matches_text(self, main_text, content_text):
        """`main_text`: the normalised title and objective; `content_text`: the normalised content."""
        return self._search("keywords", main_text) or self._search("content_keywords", content_text)

    def _search(self, name, text):
        keywords = self._pattern(name)
        if keywords is None or not text or not keywords.search(text):
            return False
        # A keyword is there: blank out the exclusions (« management de projet ») and look again. Most texts
        # match nothing, so the exclusions are only applied when they can change the answer.
        exclude = self._pattern("exclude")
        return exclude is None or keywords.search(exclude.sub(" #", text)) is not None


# --- Reading the rules ---------------------------------------------------------------------------------------


# Characters that plain accent folding would drop, gluing two words together: « d’équipe », « œuvre ».
_FOLD = (("’", "'"), ("ʼ", "'"), ("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), *((dash, "-") for dash in "‐‑‒–—"))


def _words(value):
    value = value or ""
    for char, replacement in _FOLD:
        value = value.replace(char, replacement)  # str.replace beats str.translate on long texts
    return normalize(value).split()


def normalize_text(value):
    """Normalised words of a text, small words dropped: « Fiches de poste » → « fiches poste »."""
    return " ".join(word for word in _words(value) if word not in STOPWORDS)


def searchable(*texts):
    """The texts as keywords are searched in: normalised, each after a space, separated by « # » so that no
    keyword spans two of them (the title and the objective)."""
    return " # ".join(" " + text for text in map(normalize_text, texts) if text)


def keyword_matches(source, text):
    """Whether one keyword, compiled on its own, is found in a text (ValueError when it is malformed)."""
    return re.search(_BOUNDED.format(compile_keyword(source)), searchable(text)) is not None


def compile_keyword(source):
    """The regular expression of one keyword's words (ValueError with a French reason when it is malformed)."""
    if not isinstance(source, str) or not source.strip():
        raise ValueError("un mot-clé doit être un texte non vide")
    if not _KEYWORD_CHARS.match(source.replace(GAP, " ")):
        raise ValueError(
            "seuls les lettres, chiffres, espaces, apostrophes, tirets, « * », « | » et « ... » sont permis"
        )
    pieces = []  # regex fragments, GAP for a gap
    for raw in source.replace("...", f" {GAP} ").split():
        if raw == GAP:
            if not pieces or pieces[-1] is GAP:
                raise ValueError("« ... » doit se trouver entre deux mots")
            pieces.append(GAP)
            continue
        alternatives = [_alternative(alt) for alt in raw.split("|")]
        if all(alt is None for alt in alternatives):
            continue  # a small word only (« de », « la »): dropped, as in texts
        if any(alt is None for alt in alternatives):
            raise ValueError(f"« {raw} » mêle un petit mot ignoré et des mots cherchés")
        pieces.append("(?:" + "|".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0])
    if pieces and pieces[-1] is GAP:
        raise ValueError("« ... » doit se trouver entre deux mots")
    if not pieces:
        raise ValueError("aucun mot à chercher (seulement des petits mots ignorés)")
    regex = pieces[0]
    for piece in pieces[1:]:
        regex += f"(?: {_WORD}){{0,{MAX_GAP_WORDS}}}" if piece is GAP else " " + piece
    return regex


def _alternative(raw):
    """One alternative of a keyword word: its regex, or None when it is only small words."""
    if raw.count("*") > 1 or ("*" in raw and not raw.endswith("*")):
        raise ValueError(f"« {raw} » : « * » ne peut venir qu'à la fin d'un mot")
    stem = raw.endswith("*")
    all_words = _words(raw.rstrip("*"))
    if not all_words:
        raise ValueError(f"« {raw} » ne contient ni lettre ni chiffre")
    words = [w for w in all_words if w not in STOPWORDS]
    if not words:
        if stem:
            raise ValueError(f"« {raw} » : « * » suit un petit mot ignoré")
        return None
    if stem and len(words[-1]) < MIN_STEM_LENGTH:
        raise ValueError(f"« {raw} » : un début de mot suivi de « * » compte au moins {MIN_STEM_LENGTH} lettres")
    regex = " ".join(re.escape(w) for w in words)
    return regex + "[a-z0-9]*" if stem else regex


def _codes(rule_name, key, values, errors):
    pattern, expected = CODE_FORMATS[key]
    codes = []
    for value in _as_list(rule_name, key, values, errors):
        code = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
        if code is None or not pattern.match(code):
            errors.append(f"règle « {rule_name} », {key} : « {value} » n'est pas un code valide ({expected})")
            continue
        codes.append(code.upper())
    return tuple(codes)


def _keywords(rule_name, key, values, errors):
    keywords = []
    for value in _as_list(rule_name, key, values, errors):
        try:
            keywords.append(Keyword(value, compile_keyword(value)))
        except ValueError as exc:
            errors.append(f"règle « {rule_name} », {key} : mot-clé « {value} » mal formé ({exc})")
    return tuple(keywords)


def _as_list(rule_name, key, values, errors):
    if values is None:
        return []
    if not isinstance(values, list):
        errors.append(f"règle « {rule_name} », {key} : une liste est attendue")
        return []
    return values


def parse_rules(data, source="theme_rules.yaml"):
    """The rules of an already-read YAML document (ThemeRulesError when anything is wrong)."""
    if not isinstance(data, dict) or not isinstance(data.get("themes"), dict):
        raise ThemeRulesError(
            ["le fichier doit contenir une clé « themes » : un thème du programme par entrée"], source
        )
    errors = []
    unknown_top = sorted(set(data) - {"themes"})
    if unknown_top:
        errors.append(f"clé(s) inconnue(s) : {', '.join(map(str, unknown_top))}")
    known = set(ProgrammeTheme.values)
    rules = []
    for name, body in data["themes"].items():
        if name not in known:
            errors.append(f"règle « {name} » : thème inconnu (thèmes possibles : {', '.join(ProgrammeTheme.values)})")
            continue
        body = body or {}
        if not isinstance(body, dict):
            errors.append(f"règle « {name} » : un dictionnaire est attendu")
            continue
        unknown = sorted(set(body) - set(RULE_KEYS))
        if unknown:
            errors.append(
                f"règle « {name} » : clé(s) inconnue(s) {', '.join(map(str, unknown))} "
                f"(clés possibles : {', '.join(RULE_KEYS)})"
            )
        exclude_codes = body.get("exclude_codes") or {}
        if not isinstance(exclude_codes, dict) or set(exclude_codes) - set(CODE_KEYS):
            errors.append(
                f"règle « {name} », exclude_codes : un dictionnaire de listes {', '.join(CODE_KEYS)} est attendu"
            )
            exclude_codes = {}
        rules.append(
            ThemeRule(
                theme=name,
                formacodes=_codes(name, "formacodes", body.get("formacodes"), errors),
                nsf=_codes(name, "nsf", body.get("nsf"), errors),
                rome=_codes(name, "rome", body.get("rome"), errors),
                keywords=_keywords(name, "keywords", body.get("keywords"), errors),
                content_keywords=_keywords(name, "content_keywords", body.get("content_keywords"), errors),
                exclude=_keywords(name, "exclude", body.get("exclude"), errors),
                exclude_formacodes=_codes(name, "formacodes", exclude_codes.get("formacodes"), errors),
                exclude_nsf=_codes(name, "nsf", exclude_codes.get("nsf"), errors),
                exclude_rome=_codes(name, "rome", exclude_codes.get("rome"), errors),
            )
        )
    missing = [theme for theme in ProgrammeTheme.values if theme not in data["themes"]]
    if missing:
        errors.append(
            f"thème(s) sans règle : {', '.join(missing)} (écrire « {missing[0]}: {{}} » pour n'en donner aucune)"
        )
    if errors:
        raise ThemeRulesError(errors, source)
    order = {theme: index for index, theme in enumerate(ProgrammeTheme.values)}
    return tuple(sorted(rules, key=lambda rule: order[rule.theme]))


def load_rules(path=None):
    """The rules of a YAML file (by default the repository's), checked (ThemeRulesError in French, naming each
    faulty rule)."""
    path = Path(path or RULES_PATH)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeRulesError([f"lecture impossible ({exc})"], path.name) from exc
    except yaml.YAMLError as exc:
        raise ThemeRulesError([f"YAML invalide ({exc})"], path.name) from exc
    return parse_rules(data, path.name)


@cache
def default_rules():
    """The rules of the repository's file, read once per process."""
    return load_rules()


# --- Deriving ------------------------------------------------------------------------------------------------


def _any_prefix(rule_codes, codes):
    """Whether one of `codes` (upper case, stripped) starts with one of `rule_codes` (a tuple)."""
    return bool(rule_codes) and any(code.startswith(rule_codes) for code in codes)


def offer_codes(codes):
    """An offer's codes of one kind as the rules compare them: stripped, upper case, empty ones left out."""
    return tuple(value for value in (str(code).strip().upper() for code in codes or () if code) if value)


def derive_themes(*, formacodes, nsf_codes, rome_codes, title, objective, content="", rules=None):
    """The programme themes an offer answers according to the rules: any code rule or keyword rule is enough."""
    rules = default_rules() if rules is None else rules
    main_text = searchable(title, objective)
    content_text = searchable(content)
    codes = (offer_codes(formacodes), offer_codes(nsf_codes), offer_codes(rome_codes))
    return {
        rule.theme
        for rule in rules
        if rule.matches_codes(*codes)
        or (not rule.words_excluded(*codes) and rule.matches_text(main_text, content_text))
    }


def suggested_themes(formation, rules=None):
    """What the rules say of one offer, whatever a coordinator chose."""
    return derive_themes(
        formacodes=formation.formacodes,
        nsf_codes=formation.nsf_codes,
        rome_codes=formation.rome_codes,
        title=formation.title,
        objective=formation.objective,
        content=formation.content,
        rules=rules,
    )


@dataclass
class RefreshReport:
    """What a refresh did: offers whose rows were recomputed, offers left alone, rows added and removed, and for
    each theme how many of the recomputed offers carry it (`untagged`: recomputed offers with no theme)."""

    refreshed: int = 0
    skipped: int = 0
    untagged: int = 0
    added: int = 0
    removed: int = 0
    themes: Counter = field(default_factory=Counter)

    def merge(self, other):
        self.refreshed += other.refreshed
        self.skipped += other.skipped
        self.untagged += other.untagged
        self.added += other.added
        self.removed += other.removed
        self.themes.update(other.themes)


# The fields of an offer the derivation reads (the keyword arguments of derive_themes).
DERIVED_FROM = ("formacodes", "nsf_codes", "rome_codes", "title", "objective", "content")
_FIELDS = ("pk", *DERIVED_FROM)


def refresh_derived_themes(formation_ids, *, batch_size=BATCH_SIZE, rules=None):
    """Recompute the derived themes of these offers, batch by batch (about five queries per batch, whatever its
    size). Offers whose themes a coordinator chose, and ids that do not exist, are left alone."""
    rules = default_rules() if rules is None else rules
    ids = sorted(set(formation_ids))
    report = RefreshReport()
    for start in range(0, len(ids), batch_size):
        report.merge(_refresh_batch(ids[start : start + batch_size], rules))
    return report


@transaction.atomic
def _refresh_batch(ids, rules):
    report = RefreshReport()
    # Locked: a coordinator choosing themes at the same time (choose_themes locks the offer too) waits for the batch.
    rows = (
        Formation.objects.select_for_update()
        .filter(pk__in=ids, themes_edited_at__isnull=True)
        .values_list(*_FIELDS)
        .order_by("pk")
    )
    wanted = {}
    for pk, formacodes, nsf_codes, rome_codes, title, objective, content in rows:
        wanted[pk] = derive_themes(
            formacodes=formacodes,
            nsf_codes=nsf_codes,
            rome_codes=rome_codes,
            title=title,
            objective=objective,
            content=content,
            rules=rules,
        )
    report.refreshed = len(wanted)
    report.skipped = len(ids) - len(wanted)
    report.untagged = sum(1 for themes in wanted.values() if not themes)
    if not wanted:
        return report
    existing = defaultdict(dict)  # formation → {theme: (row id, origin)}
    for row_id, formation_id, theme, origin in FormationTheme.objects.filter(formation_id__in=wanted).values_list(
        "pk", "formation_id", "theme", "origin"
    ):
        existing[formation_id][theme] = (row_id, origin)
    to_delete, to_relabel, to_create = [], [], []
    for pk, themes in wanted.items():
        report.themes.update(themes)
        current = existing.get(pk, {})
        for theme, (row_id, origin) in current.items():
            if theme not in themes:
                to_delete.append(row_id)
            elif origin != ThemeOrigin.DERIVED:
                to_relabel.append(row_id)  # an offer nobody chose for carries derived rows only
        to_create.extend(
            FormationTheme(formation_id=pk, theme=theme, origin=ThemeOrigin.DERIVED)
            for theme in sorted(themes - current.keys())
        )
    if to_delete:
        FormationTheme.objects.filter(pk__in=to_delete).delete()
    if to_relabel:
        FormationTheme.objects.filter(pk__in=to_relabel).update(origin=ThemeOrigin.DERIVED)
    if to_create:
        FormationTheme.objects.bulk_create(to_create)
    report.added = len(to_create)
    report.removed = len(to_delete)
    return report


# --- Coordinators' choice ------------------------------------------------------------------------------------


def theme_labels(themes):
    """The French labels of a set of themes, in the programme's order: « Fiche de poste, GPEC » (or « aucun »)."""
    labels = [label for value, label in ProgrammeTheme.choices if value in set(themes)]
    return ", ".join(labels) if labels else NO_THEME


def _current_themes(formation):
    return set(FormationTheme.objects.filter(formation=formation).values_list("theme", flat=True))


def _record(formation, user, before, after, note):
    changes = {"themes": [theme_labels(before), theme_labels(after)]} if before != after else {}
    return OfferChange.objects.create(
        formation=formation,
        user=user if user is not None and user.is_authenticated else None,
        action=OfferChangeAction.THEMES,
        changes=changes,
        note=(note or "")[:255],
    )


@transaction.atomic
def choose_themes(formation, themes, *, user, note=""):
    """A coordinator's choice becomes the offer's themes (origin « manual »): the rules no longer touch them until
    `reset_themes`. Returns False, writing nothing, when the offer already carries exactly this choice and no
    note is given."""
    themes = set(themes)
    unknown = themes - set(ProgrammeTheme.values)
    if unknown:
        raise ValueError(f"Thème(s) inconnu(s) : {', '.join(sorted(unknown))}.")
    formation = Formation.objects.select_for_update().get(pk=formation.pk)
    rows = list(FormationTheme.objects.filter(formation=formation))
    before = {row.theme for row in rows}
    already_chosen = formation.themes_edited_at is not None and all(row.origin == ThemeOrigin.MANUAL for row in rows)
    if already_chosen and before == themes and not note.strip():
        return False
    FormationTheme.objects.filter(formation=formation).delete()
    FormationTheme.objects.bulk_create(
        FormationTheme(formation=formation, theme=theme, origin=ThemeOrigin.MANUAL) for theme in sorted(themes)
    )
    formation.themes_edited_by = user
    formation.themes_edited_at = timezone.now()
    formation.save(update_fields=["themes_edited_by", "themes_edited_at"])
    _record(formation, user, before, themes, note.strip() or ("" if before != themes else "Thèmes confirmés"))
    return True


@transaction.atomic
def reset_themes(formation, *, user):
    """Give the offer back to the rules: the coordinator's choice is forgotten and the themes are derived again.
    Returns the derived themes."""
    formation = Formation.objects.select_for_update().get(pk=formation.pk)
    before = _current_themes(formation)
    formation.themes_edited_by = None
    formation.themes_edited_at = None
    formation.save(update_fields=["themes_edited_by", "themes_edited_at"])
    refresh_derived_themes([formation.pk])
    after = _current_themes(formation)
    _record(formation, user, before, after, RESET_NOTE)
    return after
