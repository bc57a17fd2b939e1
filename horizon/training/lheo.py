"""LHEO offer files (2.2 and 2.3), read as a stream: one plain record per `formation`, or its rejection.

Pure logic, no database: `horizon.training.imports` writes what this module reads.

- `LheoFile(path)` opens a file, plain or gzipped (recognised by its first bytes, whatever its name), checks
  that its root element is `lheo` in the 2.2 (`http://www.lheo.org/2.2`) or 2.3 (`http://lheo.gouv.fr/2.3`)
  namespace, and yields a `FormationRecord` (or a `Rejection`) per formation. The parse is
  `xml.etree.ElementTree.iterparse`; each formation is dropped from the tree once read, so memory depends on the
  largest formation, never on the file. The line where each formation starts is noted while the bytes go by.
- A formation that cannot be imported (no identifier, no title, no valid SIRET, a bad date, a code outside its
  LHEO list…) becomes a `Rejection` with its id, its line and a French reason; the next one is read as usual.
  A value that is only doubtful (a price that is not a number, an unknown level code, an invalid URL) is left
  empty and noted as a warning on the record.
- An XML syntax error stops the parse: `LheoSyntaxError`, with the line and a French message.

Texts are often HTML, or HTML escaped once more (`&lt;p&gt;…`): `feed.html_to_text` makes plain text of them.
"""

import gzip
import zlib
from collections import deque
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from .enums import EntryMode, Modality, RecruitmentState
from .feed import (
    GZIP_MAGIC,
    MAX_ID_LENGTH,
    MAX_PRICE_HOURLY,
    MAX_PRICE_TOTAL,
    ActionRecord,
    FeedFile,
    FormationRecord,
    Place,
    ProviderRecord,
    Rejection,
    SessionRecord,
    clean_code,
    clean_email,
    clean_siret,
    clean_url,
    dedup,
    full_address,
    html_to_text,
    one_line,
    parse_coordinate,
    parse_date,
    parse_hours,
    parse_price,
    words,
)

NAMESPACES = {"http://www.lheo.org/2.2": "2.2", "http://lheo.gouv.fr/2.3": "2.3"}
HEAD_SIZE = 1 << 16  # bytes read to find the root element
MAX_HEAD_SIZE = 1 << 22  # a root element not found in 4 MiB: not an LHEO file

# dict-niveaux (old levels 0–8, European levels 11–18), dict-AIS, dict-type-parcours.
LEVELS = frozenset({"0", "1", "2", "3", "4", "5", "6", "7", "8", "11", "12", "13", "14", "15", "16", "17", "18"})
GENERAL_OBJECTIVES = frozenset("123456789")
COURSE_TYPES = frozenset("1234")
MODALITIES = frozenset(Modality.values)
ENTRY_MODES = frozenset(EntryMode.values)
RECRUITMENT_STATES = frozenset(RecruitmentState.values)
CERTIFICATION_CODES = (("RNCP", "code-RNCP"), ("RS", "code-RS"), ("CERTIFINFO", "code-CERTIFINFO"), ("CPF", "code-CPF"))


class LheoError(Exception):
    """A file that cannot be read at all (French message): nothing of it is imported."""


class LheoFormatError(LheoError):
    """Not an LHEO 2.2 / 2.3 file."""


class LheoSyntaxError(LheoError):
    """An XML syntax error that stops the parser."""

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.line = line
        self.column = column


class RecordRejected(Exception):
    """A formation that is not imported; the message (French) says why."""


# ---------------------------------------------------------------------------------------------------------------
# Elements → records


TAG_NAMES = words(
    """
    offres formation domaine-formation code-FORMACODE code-NSF code-ROME intitule-formation objectif-formation
    resultats-attendus contenu-formation certifiante certification code-RNCP code-RS code-CERTIFINFO code-CPF
    code-type-formation code-niveau-entree code-niveau-sortie objectif-general-formation parcours-de-formation
    url-formation urlweb action organisme-formation-responsable SIRET-organisme-formation SIRET nom-organisme
    raison-sociale numero-activite coordonnees-organisme coordonnees adresse ligne codepostal ville denomination
    code-INSEE-commune geolocalisation latitude longitude courriel telfixe portable numtel web nom
    modalites-enseignement modalites-entrees-sorties rythme-formation conditions-specifiques prix-total-TTC
    prix-horaire-TTC nombre-heures-total nombre-heures-centre nombre-heures-entreprise organisme-financeur
    code-financeur organisme-formateur raison-sociale-formateur SIRET-formateur lieu-de-formation session periode
    debut fin etat-recrutement adresse-inscription extras extra
    """
)


def _qualiopi(element, t):
    """The Qualiopi certification a feed states in an extension of the provider (LHEO has no element for it):
    `<extras><extra info="qualiopi">1</extra></extras>`; None when it says nothing."""
    for extras in element.findall(t.extras):
        for extra in extras.findall(t.extra):
            if extra.get("info") == "qualiopi":
                return (extra.text or "").strip().lower() in ("1", "oui", "true")
    return None


class Tags:
    """The qualified tags of one namespace, as attributes: tags.intitule_formation."""

    def __init__(self, namespace):
        prefix = f"{{{namespace}}}" if namespace else ""
        for name in TAG_NAMES:
            setattr(self, name.replace("-", "_"), prefix + name)


def _identifier(element):
    return (element.get("numero") or element.get("id") or "").strip()


def _child_text(element, tag, child_tag):
    """The text of element/tag/child_tag, or ''."""
    child = element.find(tag)
    if child is None:
        return ""
    return child.findtext(child_tag) or ""


@lru_cache(maxsize=4096)
def _checked_url(value, max_length):
    try:
        return clean_url(value, max_length)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _checked_siret(value):
    """(siret, None) or (None, reason)."""
    try:
        return clean_siret(value), None
    except ValueError as exc:
        return None, str(exc)


@lru_cache(maxsize=4096)
def _checked_email(value):
    try:
        return clean_email(value)
    except ValueError:
        return None


class RecordReader:
    """Turns `formation` elements of one namespace into records (see FormationRecord).

    This runs for every formation of files of hundreds of megabytes: child elements are looked up with
    `find`/`findall`/`findtext` (ElementTree runs them in C for plain tags), values repeated from one formation to
    the next (SIRETs, URLs, e-mails) are checked once.
    """

    CACHE_SIZE = 20_000  # entries of each cache below before it is emptied: memory stays bounded

    def __init__(self, namespace):
        self.t = Tags(namespace)
        # A provider is read at its first formation in the file; the import keeps that first block too.
        self.providers = {}  # SIRET → ProviderRecord
        self.addresses = {}  # raw (lines, postal code, town) → address on one line
        self.certification_tags = [
            (kind, getattr(self.t, name.replace("-", "_"))) for kind, name in CERTIFICATION_CODES
        ]

    def read(self, element, line=None):
        """The record of a `formation` element, or its Rejection."""
        source_id = _identifier(element)
        try:
            return self._formation(element, source_id, line)
        except RecordRejected as exc:
            return Rejection(source_id=source_id[:MAX_ID_LENGTH], line=line, reason=str(exc))

    # -----------------------------------------------------------------------------------------------------------

    def _formation(self, element, source_id, line):
        t = self.t
        text = element.findtext
        if not source_id:
            raise RecordRejected("formation sans identifiant (attribut numero ou id)")
        if len(source_id) > MAX_ID_LENGTH:
            raise RecordRejected(f"identifiant de plus de {MAX_ID_LENGTH} caractères")
        title = one_line(text(t.intitule_formation))
        if not title:
            raise RecordRejected("intitulé absent (intitule-formation)")
        warnings = []
        provider = self._provider(element.find(t.organisme_formation_responsable), warnings)
        record = FormationRecord(source_id=source_id, title=title, provider=provider, line=line, warnings=warnings)
        record.objective = html_to_text(text(t.objectif_formation))
        record.expected_results = html_to_text(text(t.resultats_attendus))
        record.content = html_to_text(text(t.contenu_formation))
        record.certifying = (text(t.certifiante) or "").strip() == "1"

        domain = element.find(t.domaine_formation)
        if domain is not None:
            main, others = [], []
            for code in domain.findall(t.code_FORMACODE):
                (main if code.get("tag") == "principal" else others).append(clean_code(code.text))
            record.formacodes = dedup(main + others)
            record.nsf_codes = dedup([clean_code(code.text) for code in domain.findall(t.code_NSF)])
            record.rome_codes = dedup([clean_code(code.text) for code in domain.findall(t.code_ROME)])

        certifications = []
        for certification in element.findall(t.certification):
            for kind, tag in self.certification_tags:
                code = clean_code(certification.findtext(tag))
                if code and {"type": kind, "code": code} not in certifications:
                    certifications.append({"type": kind, "code": code})
        record.certifications = certifications
        cpf_eligible = any(clean_code(kind.findtext(t.code_CPF)) for kind in element.findall(t.code_type_formation))

        record.entry_level = _listed(text(t.code_niveau_entree), "code-niveau-entree", LEVELS, "level", warnings)
        record.exit_level = _listed(text(t.code_niveau_sortie), "code-niveau-sortie", LEVELS, "level", warnings)
        record.general_objective = _listed(
            text(t.objectif_general_formation),
            "objectif-general-formation",
            GENERAL_OBJECTIVES,
            "general_objective",
            warnings,
        )
        record.course_type = _listed(
            text(t.parcours_de_formation), "parcours-de-formation", COURSE_TYPES, "course_type", warnings
        )
        record.url = _url(_child_text(element, t.url_formation, t.urlweb), 500, warnings)

        actions, seen = [], set()
        for position, action in enumerate(element.findall(t.action), start=1):
            record_action = self._action(action, position, cpf_eligible, warnings)
            if record_action.source_id in seen:
                raise RecordRejected(f"action {record_action.source_id} en double dans la formation")
            seen.add(record_action.source_id)
            actions.append(record_action)
        if not actions:
            raise RecordRejected("aucune action")
        record.actions = actions
        return record

    def _provider(self, element, warnings):
        t = self.t
        if element is None:
            raise RecordRejected("organisme responsable absent (organisme-formation-responsable)")
        raw_siret = _child_text(element, t.SIRET_organisme_formation, t.SIRET)
        if not raw_siret.strip():
            raise RecordRejected("SIRET de l'organisme responsable absent")
        siret, reason = _checked_siret(raw_siret)
        if siret is None:
            raise RecordRejected(f"SIRET de l'organisme responsable invalide ({raw_siret.strip()} : {reason})")
        known = self.providers.get(siret)
        if known is not None:
            return known
        legal_name = one_line(element.findtext(t.raison_sociale))
        name = one_line(element.findtext(t.nom_organisme)) or legal_name
        if not name:
            raise RecordRejected(f"nom de l'organisme responsable absent (SIRET {siret})")
        nda = (element.findtext(t.numero_activite) or "").strip()
        if nda and not (len(nda) == 11 and nda.isalnum()):
            warnings.append(("nda", nda))
            nda = ""
        provider = ProviderRecord(
            siret=siret, name=name, legal_name=legal_name, nda=nda, qualiopi=_qualiopi(element, t)
        )
        coordinates = element.find(t.coordonnees_organisme)
        coordinates = coordinates.find(t.coordonnees) if coordinates is not None else None
        if coordinates is not None:
            address = coordinates.find(t.adresse)
            if address is not None:
                provider.place = self._address(address, warnings)
            email = (coordinates.findtext(t.courriel) or "").strip()
            if email:
                provider.email = _checked_email(email)
                if provider.email is None:
                    warnings.append(("email", email[:80]))
                    provider.email = ""
            provider.phone = one_line(_child_text(coordinates, t.telfixe, t.numtel), 30) or one_line(
                _child_text(coordinates, t.portable, t.numtel), 30
            )
            provider.website = _url(_child_text(coordinates, t.web, t.urlweb), 255, warnings)
        if len(self.providers) >= self.CACHE_SIZE:
            self.providers.clear()
        self.providers[siret] = provider
        return provider

    def _street_and_town(self, element):
        """(street lines, postal code, town) of an `adresse` element."""
        t = self.t
        street = ", ".join([line for line in (one_line(line.text) for line in element.findall(t.ligne)) if line])
        return street, (element.findtext(t.codepostal) or "").strip(), one_line(element.findtext(t.ville), 100)

    def _address(self, element, warnings, name=""):
        """A Place from an `adresse` element."""
        t = self.t
        street, postal_code, city = self._street_and_town(element)
        place = Place(
            name=name or one_line(element.findtext(t.denomination)),
            street=one_line(street),
            address=full_address(street, postal_code, city),
            postal_code=postal_code if len(postal_code) == 5 and postal_code.isalnum() else "",
            city=city,
            commune_code=(element.findtext(t.code_INSEE_commune) or "").strip().upper(),
        )
        geolocation = element.find(t.geolocalisation)
        if geolocation is not None:
            latitude, longitude = geolocation.findtext(t.latitude), geolocation.findtext(t.longitude)
            try:
                point = parse_coordinate(latitude, longitude)
            except ValueError as exc:
                warnings.append(("coordinates", str(exc)))
                point = None
            if point is not None:
                place.latitude, place.longitude = point
        return place

    def _place(self, element, warnings):
        """A Place from a `lieu-de-formation` element: its `coordonnees` (name and address)."""
        t = self.t
        coordinates = element.find(t.coordonnees)
        if coordinates is None:
            return None
        address = coordinates.find(t.adresse)
        name = ""
        for candidate in (
            address.findtext(t.denomination) if address is not None else "",
            coordinates.findtext(t.nom),
            coordinates.findtext(t.ligne),
        ):
            name = one_line(candidate)
            if name:
                break
        if address is None:
            return Place(name=name) if name else None
        return self._address(address, warnings, name=name)

    def _action(self, element, position, cpf_eligible, warnings):
        t = self.t
        text = element.findtext
        source_id = _identifier(element) or f"#{position}"
        if len(source_id) > MAX_ID_LENGTH:
            raise RecordRejected(f"action {source_id[:40]}… : identifiant de plus de {MAX_ID_LENGTH} caractères")
        modality = (text(t.modalites_enseignement) or "").strip()
        if modality not in MODALITIES:
            raise RecordRejected(
                f"action {source_id} : modalités d'enseignement {_shown(modality)} (0, 1 ou 2 attendu)"
            )
        entry_mode = (text(t.modalites_entrees_sorties) or "").strip()
        if entry_mode not in ENTRY_MODES:
            raise RecordRejected(
                f"action {source_id} : modalités d'entrées et sorties {_shown(entry_mode)} (0 ou 1 attendu)"
            )
        action = ActionRecord(source_id=source_id, modality=modality, entry_mode=entry_mode, cpf_eligible=cpf_eligible)
        action.rhythm = html_to_text(text(t.rythme_formation))
        action.conditions = html_to_text(text(t.conditions_specifiques))
        value = text(t.prix_total_TTC)
        if value:
            action.price_total = _number(parse_price, value, MAX_PRICE_TOTAL, "price", "prix-total-TTC", warnings)
        value = text(t.prix_horaire_TTC)
        if value:
            action.price_hourly = _number(parse_price, value, MAX_PRICE_HOURLY, "price", "prix-horaire-TTC", warnings)
        value = text(t.nombre_heures_total)
        if value:
            action.hours_total = _number(parse_hours, value, None, "hours", "nombre-heures-total", warnings)
        value = text(t.nombre_heures_centre)
        if value:
            action.hours_centre = _number(parse_hours, value, None, "hours", "nombre-heures-centre", warnings)
        value = text(t.nombre_heures_entreprise)
        if value:
            action.hours_company = _number(parse_hours, value, None, "hours", "nombre-heures-entreprise", warnings)
        funders = element.findall(t.organisme_financeur)
        if funders:
            action.funders = dedup([clean_code(funder.findtext(t.code_financeur)) for funder in funders])
        trainer = element.find(t.organisme_formateur)
        if trainer is not None:
            action.trainer_name = one_line(trainer.findtext(t.raison_sociale_formateur))
            raw_siret = _child_text(trainer, t.SIRET_formateur, t.SIRET).strip()
            if raw_siret:
                siret, _ = _checked_siret(raw_siret)
                if siret is None:
                    warnings.append(("trainer_siret", raw_siret))
                else:
                    action.trainer_siret = siret
        places = element.findall(t.lieu_de_formation)
        if places:
            action.place = self._place(places[0], warnings)
            if len(places) > 1:
                warnings.append(("several_places", source_id))
        sessions, seen = [], set()
        for session_position, session in enumerate(element.findall(t.session), start=1):
            record = self._session(session, session_position, source_id)
            if record.source_id in seen:
                raise RecordRejected(f"action {source_id} : session {record.source_id} en double")
            seen.add(record.source_id)
            sessions.append(record)
        action.sessions = sessions
        return action

    def _session(self, element, position, action_id):
        t = self.t
        source_id = _identifier(element) or f"#{position}"
        if len(source_id) > MAX_ID_LENGTH:
            raise RecordRejected(
                f"action {action_id}, session {source_id[:40]}… : identifiant de plus de {MAX_ID_LENGTH} caractères"
            )
        period = element.find(t.periode)
        if period is None:
            raise RecordRejected(f"action {action_id}, session {source_id} : période absente (periode)")
        session = SessionRecord(source_id=source_id)
        try:
            session.start_date, session.start_precision = parse_date(period.findtext(t.debut))
        except ValueError as exc:
            raise RecordRejected(f"action {action_id}, session {source_id} : début, {exc}") from None
        try:
            session.end_date, session.end_precision = parse_date(period.findtext(t.fin))
        except ValueError as exc:
            raise RecordRejected(f"action {action_id}, session {source_id} : fin, {exc}") from None
        if session.start_date and session.end_date and session.end_date < session.start_date:
            raise RecordRejected(
                f"action {action_id}, session {source_id} : la fin ({session.end_date:%d/%m/%Y}) précède le début "
                f"({session.start_date:%d/%m/%Y})"
            )
        state = element.findtext(t.etat_recrutement)
        if state:
            state = state.strip()
            if state not in RECRUITMENT_STATES:
                raise RecordRejected(
                    f"action {action_id}, session {source_id} : état du recrutement {_shown(state)} (1, 2 ou 3 attendu)"
                )
            session.recruitment_state = state
        registration = element.find(t.adresse_inscription)
        if registration is not None:
            address = registration.find(t.adresse)
            if address is not None:
                t = self.t
                key = (
                    tuple(line.text for line in address.findall(t.ligne)),
                    address.findtext(t.codepostal),
                    address.findtext(t.ville),
                )
                text = self.addresses.get(key)
                if text is None:
                    if len(self.addresses) >= self.CACHE_SIZE:
                        self.addresses.clear()
                    text = self.addresses[key] = full_address(*self._street_and_town(address))
                session.registration_address = text
        return session


def _listed(value, name, allowed, kind, warnings):
    code = (value or "").strip()
    if code and code not in allowed:
        warnings.append((kind, f"{name} {code}"))
        return ""
    return code


def _url(value, max_length, warnings):
    value = value.strip()
    if not value:
        return ""
    url = _checked_url(value, max_length)
    if url is None:
        warnings.append(("url", value[:80]))
        return ""
    return url


def _number(parse, value, maximum, kind, name, warnings):
    try:
        return parse(value) if maximum is None else parse(value, maximum)
    except ValueError:
        warnings.append((kind, f"{name} {value.strip()[:40]}"))
        return None


def _shown(value):
    return f"invalides ({value})" if value else "absentes"


# ---------------------------------------------------------------------------------------------------------------
# Files


_EXPAT_MESSAGES = {
    "XML_ERROR_SYNTAX": "erreur de syntaxe",
    "XML_ERROR_NO_ELEMENTS": "document vide ou tronqué (élément attendu)",
    "XML_ERROR_INVALID_TOKEN": "caractère ou balise invalide",
    "XML_ERROR_UNCLOSED_TOKEN": "balise non fermée (fichier tronqué ?)",
    "XML_ERROR_PARTIAL_CHAR": "caractère incomplet (fichier tronqué ?)",
    "XML_ERROR_TAG_MISMATCH": "balise fermante qui ne correspond pas à la balise ouverte",
    "XML_ERROR_DUPLICATE_ATTRIBUTE": "attribut en double",
    "XML_ERROR_JUNK_AFTER_DOC_ELEMENT": "contenu après la fin de l'élément racine",
    "XML_ERROR_UNDEFINED_ENTITY": "entité non définie (un « & » non échappé ?)",
    "XML_ERROR_RECURSIVE_ENTITY_REF": "entité récursive",
    "XML_ERROR_BAD_CHAR_REF": "référence de caractère invalide",
    "XML_ERROR_UNCLOSED_CDATA_SECTION": "section CDATA non fermée",
    "XML_ERROR_UNBOUND_PREFIX": "préfixe d'espace de noms non déclaré",
    "XML_ERROR_INCORRECT_ENCODING": "encodage déclaré incorrect",
    "XML_ERROR_UNKNOWN_ENCODING": "encodage inconnu",
    "XML_ERROR_MISPLACED_XML_PI": "déclaration XML mal placée",
    "XML_ERROR_AMPLIFICATION_LIMIT_BREACH": "expansion d'entités excessive",
}
_EXPAT_CODES = {
    expat.errors.codes[getattr(expat.errors, name)]: text
    for name, text in _EXPAT_MESSAGES.items()
    if hasattr(expat.errors, name)
}


def syntax_error(exc):
    """A LheoSyntaxError (French) from an ElementTree.ParseError."""
    line, column = getattr(exc, "position", (None, None))
    reason = _EXPAT_CODES.get(getattr(exc, "code", None), "XML mal formé")
    where = f" ligne {line}, colonne {column + 1}" if line is not None else ""
    return LheoSyntaxError(f"Erreur de syntaxe XML{where} : {reason}.", line, column)


class _LineTracker:
    """The stream as iterparse reads it, noting on the way the line where each formation start tag begins.

    A start tag is `<formation` followed by a space, `>` or `/`; the n-th one found is the n-th `formation`
    element the parser reports. `lines` holds the lines not yet claimed."""

    def __init__(self, stream, token):
        self.stream = stream
        self.token = token
        self.lines = deque()
        self.line = 1  # line of the first byte of `tail`
        self.tail = b""

    def read(self, size=-1):
        data = self.stream.read(size)
        buffer = self.tail + data if self.tail else data
        token, width = self.token, len(self.token)
        cut = len(buffer) if not data else max(0, len(buffer) - width)
        line, counted = self.line, 0
        position = buffer.find(token, 0, cut + width)
        while position != -1 and position < cut:
            after = buffer[position + width : position + width + 1]
            if after in (b" ", b">", b"/", b"\n", b"\r", b"\t"):
                line += buffer.count(b"\n", counted, position)
                counted = position
                self.lines.append(line)
            position = buffer.find(token, position + width, cut + width)
        self.line = line + buffer.count(b"\n", counted, cut)
        self.tail = buffer[cut:]
        return data


class LheoFile(FeedFile):
    """An LHEO file (plain or gzipped) opened for reading; iterate over it for records and rejections.

        with LheoFile(path) as lheo:
            lheo.version        # "2.2" or "2.3"
            for item in lheo:   # FormationRecord or Rejection
                ...

    Opening raises LheoError (French) when the file is missing, unreadable, not XML or not LHEO.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.compressed = False
        self.version = None
        self.namespace = None
        self._raw = None
        self._stream = None
        self._prefix = ""

    def open(self):
        if not self.path.is_file():
            raise LheoError(f"Fichier introuvable : {self.path}")
        try:
            self._raw = self.path.open("rb")
            self.compressed = self._raw.read(2) == GZIP_MAGIC
            self._raw.seek(0)
            self._stream = gzip.GzipFile(fileobj=self._raw, mode="rb") if self.compressed else self._raw
            self._find_root()
            self._stream.seek(0)
        except (OSError, EOFError, zlib.error) as exc:
            self.close()
            raise LheoError(f"Lecture impossible de {self.path.name} ({_describe(exc)}).") from exc
        except LheoError:
            self.close()
            raise

    def close(self):
        for stream in (self._stream, self._raw):
            if stream is not None:
                stream.close()
        self._stream = self._raw = None

    def _find_root(self):
        parser = ElementTree.XMLPullParser(events=("start-ns", "start"))
        prefixes = {}
        read = 0
        while read < MAX_HEAD_SIZE:
            data = self._stream.read(HEAD_SIZE)
            read += len(data)
            try:
                if not data:
                    parser.close()  # raises the ParseError of an empty or truncated file
                    break
                parser.feed(data)
                for event, value in parser.read_events():
                    if event == "start-ns":
                        prefixes.setdefault(value[1], value[0])
                        continue
                    self._check_root(value.tag, prefixes)
                    return
            except ElementTree.ParseError as exc:
                raise syntax_error(exc) from None
        raise LheoFormatError(f"{self.path.name} n'est pas un fichier LHEO : aucun élément XML trouvé au début.")

    def _check_root(self, tag, prefixes):
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "lheo":
            raise LheoFormatError(
                f"{self.path.name} n'est pas un fichier LHEO : l'élément racine est « {local} » et non « lheo »."
            )
        if namespace not in NAMESPACES:
            shown = namespace or "aucun"
            raise LheoFormatError(
                f"Version de LHEO non prise en charge (espace de noms : {shown}) ; versions lues : 2.2 "
                f"(http://www.lheo.org/2.2) et 2.3 (http://lheo.gouv.fr/2.3)."
            )
        self.namespace = namespace
        self.version = NAMESPACES[namespace]
        self._prefix = prefixes.get(namespace, "")

    def __iter__(self):
        if self._stream is None:
            raise LheoError("Le fichier LHEO n'est pas ouvert.")
        token = f"<{self._prefix}:formation" if self._prefix else "<formation"
        tracker = _LineTracker(self._stream, token.encode())
        reader = RecordReader(self.namespace)
        t = reader.t
        offres_tag, formation_tag = t.offres, t.formation
        offres = None
        lines = tracker.lines
        try:
            for event, element in ElementTree.iterparse(tracker, events=("start", "end")):
                if event == "start":
                    if element.tag == offres_tag:
                        offres = element
                    continue
                if element.tag != formation_tag:
                    continue
                line = lines.popleft() if lines else None
                yield reader.read(element, line)
                element.clear()
                if offres is not None:
                    offres.clear()  # the formations read so far (the one being built stays on the parser's stack)
        except ElementTree.ParseError as exc:
            raise syntax_error(exc) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise LheoError(f"Lecture interrompue de {self.path.name} ({_describe(exc)}).") from exc


def _describe(exc):
    if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
        return "archive gzip illisible ou tronquée"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
