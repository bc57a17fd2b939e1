"""What the offer readers (`lheo`, `cpf`) share: the plain records they yield, and the cleaning of feed values.

Pure functions, no database. Texts are often HTML, or HTML escaped once more (`&lt;p&gt;…`): `html_to_text`
makes plain text of them. Dates are LHEO's AAAAMMJJ with "00" for an unknown day or month; prices and hours
come with spaces, commas and currency signs; identifiers (SIRET) and web addresses are checked.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from horizon.organisations.identifiers import clean_digits, siret_checksum_ok

from .enums import DatePrecision, EntryMode, Modality, RecruitmentState

GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of a gzip file


def words(text):
    return tuple(text.split())


MAX_ID_LENGTH = 100  # Formation/Action/Session.source_id
MAX_PRICE_TOTAL = Decimal("99999999.99")
MAX_PRICE_HOURLY = Decimal("999999.99")
MAX_HOURS = 100_000

# Warning kinds → French label (the report prints "label : count (examples)").
WARNINGS = {
    "level": "code de niveau inconnu de dict-niveaux (laissé vide)",
    "general_objective": "objectif général inconnu de dict-AIS (laissé vide)",
    "course_type": "type de parcours inconnu de dict-type-parcours (laissé vide)",
    "url": "adresse web invalide (laissée vide)",
    "email": "adresse e-mail invalide (laissée vide)",
    "price": "prix illisible ou hors limites (laissé vide)",
    "hours": "nombre d'heures illisible ou hors limites (laissé vide)",
    "trainer_siret": "SIRET de l'organisme formateur invalide (laissé vide)",
    "nda": "numéro de déclaration d'activité mal formé (laissé vide)",
    "coordinates": "coordonnées géographiques invalides (ignorées)",
    "several_places": "action à plusieurs lieux de formation (le premier est retenu)",
    "commune": "commune introuvable dans le référentiel des territoires (lieu sans commune)",
}

SIRET_REASONS = {"length": "14 chiffres attendus", "checksum": "clé de contrôle incorrecte"}


# ---------------------------------------------------------------------------------------------------------------
# Records


@dataclass(slots=True)
class Place:
    """An address: a training place, a provider's address, or where to register."""

    name: str = ""
    street: str = ""  # the address lines: "12 rue des Lilas, Bâtiment B"
    address: str = ""  # lines, postal code and town: "12 rue des Lilas, 33000 Bordeaux"
    postal_code: str = ""
    city: str = ""
    commune_code: str = ""  # code INSEE, as given (resolved against the territories by the importer)
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)
class ProviderRecord:
    siret: str
    name: str
    legal_name: str = ""
    nda: str = ""
    place: Place | None = None
    email: str = ""
    phone: str = ""
    website: str = ""
    qualiopi: bool | None = None  # from the feed's extension <extras><extra info="qualiopi">1</extra></extras>


@dataclass(slots=True)
class SessionRecord:
    source_id: str
    start_date: date | None = None
    start_precision: str = DatePrecision.DAY.value
    end_date: date | None = None
    end_precision: str = DatePrecision.DAY.value
    recruitment_state: str = RecruitmentState.OPEN.value
    registration_address: str = ""


@dataclass(slots=True)
class ActionRecord:
    source_id: str
    modality: str = Modality.ON_SITE.value
    entry_mode: str = EntryMode.FIXED_DATES.value
    rhythm: str = ""
    conditions: str = ""
    price_total: Decimal | None = None
    price_hourly: Decimal | None = None
    hours_total: int | None = None
    hours_centre: int | None = None
    hours_company: int | None = None
    funders: list = field(default_factory=list)
    cpf_eligible: bool = False
    trainer_name: str = ""
    trainer_siret: str = ""
    place: Place | None = None
    sessions: list = field(default_factory=list)


@dataclass(slots=True)
class FormationRecord:
    source_id: str
    title: str
    provider: ProviderRecord
    line: int | None = None
    objective: str = ""
    expected_results: str = ""
    content: str = ""
    certifying: bool = False
    certifications: list = field(default_factory=list)  # [{"type": "RNCP", "code": "474"}, …]
    formacodes: list = field(default_factory=list)  # the main one first
    nsf_codes: list = field(default_factory=list)
    rome_codes: list = field(default_factory=list)
    entry_level: str = ""
    exit_level: str = ""
    general_objective: str = ""
    course_type: str = ""
    url: str = ""
    actions: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # [(kind, sample)], kinds of WARNINGS


@dataclass(frozen=True, slots=True)
class Rejection:
    source_id: str  # "" when the formation has no identifier
    line: int | None
    reason: str


# ---------------------------------------------------------------------------------------------------------------
# Text


# Tags: only what looks like one ('<' then a letter), so that "a < b" stays text. Split keeps (slash, name).
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_HIDDEN_START = re.compile(r"<(?:!--|[sS][cCtT][rRyY])")
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# What a tag becomes: paragraphs and blocks a blank line, line breaks a new line, table cells a space; a list
# item starts a "- " line; any other tag (b, span, a…) disappears.
_TAG_TEXT = {
    **dict.fromkeys(
        words("p div ul ol dl table tr blockquote section article header footer h1 h2 h3 h4 h5 h6 pre hr address"),
        "\n\n",
    ),
    **dict.fromkeys(("br", "dt", "dd", "caption"), "\n"),
    **dict.fromkeys(("td", "th"), " "),
}
# Spaces other than ' ', and control or invisible characters: each becomes a space (then runs collapse).
_ODD_SPACE = re.compile("[\t\f\v\x00-\x08\x0b\x0e-\x1f\x7f\xa0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]")
_SPACE_RUN = re.compile(r"  +")
PLACEHOLDERS = frozenset({"-", "--", ".", "/", "nc", "NC", "n/a", "N/A"})


def _strip_tags(text):
    parts = _TAG.split(text)  # text, slash, name, text, slash, name, …, text
    out = [parts[0]]
    replacement = _TAG_TEXT.get
    for index in range(1, len(parts), 3):
        name = parts[index + 1].lower()
        if name == "li":
            if not parts[index]:
                out.append("\n- ")
        else:
            tag_text = replacement(name)
            if tag_text:
                out.append(tag_text)
        out.append(parts[index + 2])
    return "".join(out)


def html_to_text(value):
    """Plain text from an LHEO text field: HTML or escaped HTML ('&lt;p&gt;…') unescaped, tags dropped,
    paragraphs kept as blank lines and list items as '- ' lines, spaces collapsed. A placeholder ('-') is empty.

    Text without tags keeps its own line breaks; in HTML, line breaks are spaces, as a browser shows them.
    Each step runs only when the text needs it: this is called for every text of every formation.
    """
    if not value:
        return ""
    text = value
    for _ in range(3):  # escaped once in the XML, sometimes twice more by the producer
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text and _TAG.search(text):
        if _HIDDEN_START.search(text):
            text = _HIDDEN.sub("", text)
        text = _strip_tags(text.replace("\n", " "))
    if _ODD_SPACE.search(text):
        text = _ODD_SPACE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = text.replace(" \n", "\n").replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    text = text.strip()
    return "" if text in PLACEHOLDERS else text


def one_line(value, max_length=255):
    """A short text (a title, a name) on one line, cut to max_length with an ellipsis."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = html_to_text(value)
    text = " ".join(value.split())
    if text in PLACEHOLDERS:
        return ""
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def full_address(street, postal_code, city):
    """'12 rue des Lilas', '33000', 'Bordeaux' → '12 rue des Lilas, 33000 Bordeaux' (on one line, ≤ 255)."""
    town = f"{postal_code} {city}".strip()
    return one_line(f"{street}, {town}" if street and town else street or town)


def clean_code(value):
    """A code, verbatim but without surrounding spaces."""
    return (value or "").strip()


# ---------------------------------------------------------------------------------------------------------------
# Values


def parse_date(value):
    """An LHEO date (AAAAMMJJ) → (date, precision). '00' for the day or for the month and day means the month or
    the year only: '20170900' → (2017-09-01, month), '20170000' → (2017-01-01, year). Empty or '00000000' →
    (None, day): the date is unknown. ValueError (French) when it is not a date."""
    text = (value or "").strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO dates, seen in some feeds
        text = text.replace("-", "")
    if not text or text == "00000000":
        return None, DatePrecision.DAY.value
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"date invalide ({value.strip()} ; format AAAAMMJJ attendu)")
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if year < 1900:
        raise ValueError(f"date invalide ({text})")
    if month == 0:
        if day:
            raise ValueError(f"date invalide ({text} : jour sans mois)")
        return date(year, 1, 1), DatePrecision.YEAR.value
    try:
        if day == 0:
            return date(year, month, 1), DatePrecision.MONTH.value
        return date(year, month, day), DatePrecision.DAY.value
    except ValueError:
        raise ValueError(f"date invalide ({text})") from None


def parse_decimal(value):
    """'1 500,50 €' → Decimal('1500.50'); None when empty; ValueError when not a number."""
    text = (value or "").strip()
    if not text:
        return None
    text = "".join(text.split()).replace("€", "").replace("EUR", "").replace("TTC", "").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")  # '1.500,50': dots are thousands separators
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def parse_price(value, maximum):
    number = parse_decimal(value)
    if number is None:
        return None
    if number < 0 or number > maximum:
        raise ValueError(value)
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_hours(value):
    number = parse_decimal(value)
    if number is None:
        return None
    if number < 0 or number > MAX_HOURS:
        raise ValueError(value)
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def clean_siret(value):
    """The 14 digits of a SIRET (spaces and dots removed); ValueError (French reason) when it is not valid."""
    siret = clean_digits(value)
    if not siret.isdigit() or len(siret) != 14:
        raise ValueError(SIRET_REASONS["length"])
    if not siret_checksum_ok(siret):
        raise ValueError(SIRET_REASONS["checksum"])
    return siret


_validate_url = URLValidator(schemes=["http", "https"])
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def clean_url(value, max_length=500):
    """A web address with its scheme ('www.example.org' → 'https://www.example.org'); ValueError when it is not
    one. Empty stays empty."""
    url = (value or "").strip()
    if not url:
        return ""
    if not _SCHEME.match(url):
        url = "https://" + url.removeprefix("//")
    if len(url) > max_length:
        raise ValueError(value)
    try:
        _validate_url(url)
    except ValidationError:
        raise ValueError(value) from None
    return url


def clean_email(value):
    email = (value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(value) from None
    if len(email) > 254:
        raise ValueError(value)
    return email


def parse_coordinate(latitude, longitude):
    """(latitude, longitude) as floats rounded to 6 decimals, or None: absent, not numbers, out of range or the
    (0, 0) point that stands for "unknown" in some feeds. ValueError when given but unusable."""
    latitude, longitude = (latitude or "").strip(), (longitude or "").strip()
    if not latitude and not longitude:
        return None
    try:
        lat, lon = float(latitude.replace(",", ".")), float(longitude.replace(",", "."))
    except ValueError:
        raise ValueError(f"{latitude} ; {longitude}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        raise ValueError(f"{latitude} ; {longitude}")
    return round(lat, 6), round(lon, 6)


def dedup(codes):
    return list(dict.fromkeys(code for code in codes if code))


class FeedFile:
    """A feed file read inside a `with` block, which opens it and closes it: subclasses define open() and close()."""

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc_info):
        self.close()
