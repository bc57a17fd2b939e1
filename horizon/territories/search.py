"""What a person types to name a commune, read into search terms, and the label the autocomplete shows back.

Pure functions, no database: `CommuneQuerySet` turns a `PlaceQuery` into filters.
"""

import re
from dataclasses import dataclass

from horizon.utils.text import normalize

LABEL_POSTAL_CODES = 2

# The tail of our own label ("Bordeaux (33) — 33000, 33100…"), so that a label typed back is read as a name.
_LABEL_TAIL = re.compile(r"\s+—.*$")
_DEPARTEMENT = re.compile(r"\(\s*(\d{2,3}|2[ab])\s*\)", re.IGNORECASE)
_POSTAL_CODE = re.compile(r"\b\d{5}\b")
# Common abbreviations, expanded only when followed by another word ("st" alone may start "Strasbourg").
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


@dataclass(frozen=True)
class PlaceQuery:
    name: str = ""  # normalized (see horizon.utils.text.normalize)
    departement: str = ""  # INSEE code, as in "Saint-Denis (93)"
    postal_code: str = ""  # five digits, or the digits typed so far when nothing else was typed

    def __bool__(self):
        return bool(self.name or self.departement or self.postal_code)


def parse_place(text):
    """'Saint-Denis (93)' → name 'saint denis', département '93'; '33000 Bordeaux' → postal code and name;
    '331' → postal code prefix; our own label is read back as its name and département."""
    text = _LABEL_TAIL.sub("", (text or "").strip())
    if text.isascii() and text.isdigit():
        return PlaceQuery(postal_code=text[:5])
    departement = ""
    if match := _DEPARTEMENT.search(text):
        departement = match.group(1).upper()
        text = text[: match.start()] + " " + text[match.end() :]
    postal_code = ""
    if match := _POSTAL_CODE.search(text):
        postal_code = match.group(0)
        text = text[: match.start()] + " " + text[match.end() :]
    words = normalize(text).split()
    words = [_ABBREVIATIONS.get(word, word) for word in words[:-1]] + words[-1:]
    return PlaceQuery(name=" ".join(words), departement=departement, postal_code=postal_code)


def commune_label(name, departement_code, postal_codes):
    """'Bordeaux (33) — 33000, 33100…': the first postal codes given, then an ellipsis when there are more."""
    label = f"{name} ({departement_code})"
    if not postal_codes:
        return label
    shown = ", ".join(postal_codes[:LABEL_POSTAL_CODES])
    return f"{label} — {shown}{'…' if len(postal_codes) > LABEL_POSTAL_CODES else ''}"


def inner_keys(search_name):
    """'saint germain en laye' → ['germain en laye', 'en laye', 'laye']: the name from each later word on (see
    CommuneSearchKey)."""
    words = search_name.split()
    return list(dict.fromkeys(" ".join(words[start:]) for start in range(1, len(words))))
