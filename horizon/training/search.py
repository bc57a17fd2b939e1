"""French full-text search over the training offer: one API, whichever database runs below.

How it works
------------
Python turns French text into *terms* the same way for what is indexed and for what people type: lower case, no
accents (ligatures opened: "œ" → "oe"), French stop words dropped, each word reduced to its stem by the Snowball
French stemmer ("apprentis", "apprentissage" → "apprent", "apprentissag"). Each formation's terms are stored in
one search table, in three weighted parts: its title (weight 10), its provider's name (2) and its body — objective,
content, expected results and certification codes (1).

A query keeps the stems of the typed words and matches every one of them as a *prefix*: "apprenti" (stem
"apprent") finds "apprentis" and "Apprentissage", "management" (stem "manag") finds "manager", and a word being
typed finds the words it starts. Stems shorter than three letters ("rh") match whole terms only.

The database does the indexed part:
- SQLite: an FTS5 virtual table (rowid = formation id, columns title, provider, body), queried with
  `MATCH '"apprent"* AND "post"*'` and ranked by `bm25()` with the column weights;
- PostgreSQL: a table of `tsvector`s (title weight A, provider C, body D, built with the 'simple' configuration
  since the text is already normalised) with a GIN index, queried with `to_tsquery('simple', 'apprent:* & post:*')`
  and ranked by `ts_rank()`.
Both tables are created by migration 0002_search; deleting a formation deletes its row (database triggers).

Python-side normalisation keeps the two databases in agreement (PostgreSQL's 'french' configuration and FTS5's
tokenizers would each stem and fold differently) and makes the behaviour testable without a database.

Use
---
- `search_formations(queryset, text)`: the queryset filtered on the text and annotated with `search_rank`
  (higher is more relevant, on both databases); it composes with any other filter. Text without a searchable word
  leaves the queryset as it is (rank 0).
- `matching_ids(text)` and `ranks(text)`: the same filter as a subquery of formation ids (for a query over
  sessions), and the same ranks as {formation id: rank}, read in one pass over the index — FTS5 runs the whole
  full-text query again for each formation ranked one by one.
- `index_formations(ids)`: refresh the index of these formations after writing them (imports, offer pages); closed
  formations leave the index. It works in batches: tens of thousands of formations per call are fine.
- `rebuild_index()`: the whole index again (after a bulk load that skipped indexing).
"""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import RawSQL

TABLE = "training_formation_search"
BATCH_SIZE = 1000
MIN_PREFIX_LENGTH = 3  # shorter stems match whole terms only: "rh" must not find every word starting with "rh"
MAX_QUERY_TERMS = 12
MAX_QUERY_LENGTH = 500

# Column weights: a word of the title counts ten times a word of the body, the provider's name twice.
TITLE_WEIGHT, PROVIDER_WEIGHT, BODY_WEIGHT = 10.0, 2.0, 1.0
# PostgreSQL: ts_rank weights for the labels {D, C, B, A}: body D, provider C, title A (B is unused).
PG_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

# French stop words, without accents (the text is folded before it is compared): articles, pronouns, prepositions,
# conjunctions. Verbs stay ("être" in "bien-être", "été" in "université d'été"). Single letters are dropped anyway
# (elisions: l', d', qu'…).
_STOP_WORDS_TEXT = """
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui ma mais me
    meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
    vos votre vous ni si sans sous chez entre vers selon afin ainsi donc or car dont lors puis tout tous toute
    toutes cela ceci celle celui ceux celles ca quel quelle quels quelles
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LIGATURES = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss"))
_stemmers = threading.local()


def fold(text):
    """Lower-case ASCII words separated by single spaces: "L'Œuvre d'Été" → "l oeuvre d ete"."""
    text = text or ""
    if not text.isascii():
        for char, replacement in _LIGATURES:
            if char in text:  # str.replace beats str.translate on long texts
                text = text.replace(char, replacement)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text.lower()).strip()


# The French stemmer needs the accents of two suffix families ("-ité", "-ière"): they are put back on folded words,
# so that "comptabilite" and "Comptabilité" both give "comptabl", as "comptable" does.
_ACCENTED_SUFFIXES = ((re.compile(r"ite(s?)$"), r"ité\1"), (re.compile(r"iere(s?)$"), r"ière\1"))


@lru_cache(maxsize=200_000)
def stem(word):
    """The Snowball French stem of a folded word, folded again (the stemmer object is not thread-safe: one per
    thread)."""
    stemmer = getattr(_stemmers, "french", None)
    if stemmer is None:
        stemmer = _stemmers.french = snowballstemmer.stemmer("french")
    for suffix, accented in _ACCENTED_SUFFIXES:
        word = suffix.sub(accented, word)
    return fold(stemmer.stemWord(word))


def terms(text):
    """The search terms of a text, in order, repeated as often as their words: what the index stores."""
    return [stem(word) for word in fold(text).split() if word not in STOP_WORDS and (len(word) > 1 or word.isdigit())]


def query_terms(text):
    """The distinct terms of what someone typed, in the order typed (at most MAX_QUERY_TERMS)."""
    return list(dict.fromkeys(terms((text or "")[:MAX_QUERY_LENGTH])))[:MAX_QUERY_TERMS]


def fts5_query(words):
    """'"apprent"* AND "rh"': every term, as a prefix when it is long enough (FTS5 MATCH syntax)."""
    return " AND ".join(f'"{term}"*' if len(term) >= MIN_PREFIX_LENGTH else f'"{term}"' for term in words)


def tsquery(words):
    """'apprent:* & rh' (PostgreSQL to_tsquery syntax)."""
    return " & ".join(f"{term}:*" if len(term) >= MIN_PREFIX_LENGTH else term for term in words)


def document(title="", provider="", body_parts=()):
    """(title, provider, body) as the index stores them: the texts' terms joined by spaces."""
    body = " ".join(" ".join(terms(part)) for part in body_parts if part)
    return " ".join(terms(title)), " ".join(terms(provider)), body.strip()


def certification_text(certifications):
    """ "RNCP 35678 RS 5432": the certification codes, so that a search by code finds the offer."""
    if not isinstance(certifications, list):
        return ""
    return " ".join(
        f"{item.get('type', '')} {item.get('code', '')}" for item in certifications if isinstance(item, dict)
    )


# Querying --------------------------------------------------------------------------------------------------------


class SearchRank(Func):
    """How well a formation (the expression: its primary key) matches the query; higher is better, on both
    databases. A correlated subquery on the search table, computed only for the rows the filter kept."""

    output_field = FloatField()
    arity = 1

    def __init__(self, expression, *, words, **extra):
        self.words = words
        super().__init__(expression, **extra)

    def get_group_by_cols(self):
        # It depends on the formation only: in a grouped query (formations with aggregates of their sessions), it
        # is computed once per formation, not once per joined row.
        return self.source_expressions[0].get_group_by_cols()

    def as_sqlite(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(SELECT -bm25({TABLE}, {TITLE_WEIGHT}, {PROVIDER_WEIGHT}, {BODY_WEIGHT}) FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid = {pk_sql})"
        )
        return sql, (fts5_query(self.words), *pk_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(SELECT ts_rank('{PG_RANK_WEIGHTS}'::float4[], s.document, to_tsquery('simple', %s)) "
            f"FROM {TABLE} s WHERE s.formation_id = {pk_sql})"
        )
        return sql, (tsquery(self.words), *pk_params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"Full-text search is not available on {connection.vendor}.")


def search_formations(queryset, text):
    """`queryset` (of Formation) narrowed to the formations matching every word of `text`, annotated with
    `search_rank` (higher is more relevant). Order by `-search_rank` to put the best first."""
    words = query_terms(text)
    if not words:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    matches = _matching_ids(words, connections[queryset.db].vendor)
    return queryset.filter(pk__in=matches).annotate(search_rank=SearchRank(F("pk"), words=words))


def matching_ids(text, using=DEFAULT_DB_ALIAS):
    """The ids of the formations matching every word of `text`, as a subquery to filter on (such as
    `formation__in=`), or None when the text has no searchable word."""
    words = query_terms(text)
    return _matching_ids(words, connections[using].vendor) if words else None


def _matching_ids(words, vendor):
    if vendor == "sqlite":
        return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", (fts5_query(words),))
    if vendor == "postgresql":
        return RawSQL(f"SELECT formation_id FROM {TABLE} WHERE document @@ to_tsquery('simple', %s)", (tsquery(words),))
    raise NotImplementedError(f"Full-text search is not available on {vendor}.")


def ranks(text, using=DEFAULT_DB_ALIAS):
    """{formation id: rank} of the formations matching every word of `text`: the `search_rank` that
    search_formations() gives them, all read in one query ({} when the text has no searchable word)."""
    words = query_terms(text)
    if not words:
        return {}
    connection = connections[using]
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT rowid, -bm25({TABLE}, {TITLE_WEIGHT}, {PROVIDER_WEIGHT}, {BODY_WEIGHT}) FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s"
        )
        params = [fts5_query(words)]
    elif connection.vendor == "postgresql":
        sql = (
            f"SELECT formation_id, ts_rank('{PG_RANK_WEIGHTS}'::float4[], document, query) "
            f"FROM {TABLE}, to_tsquery('simple', %s) AS query WHERE document @@ query"
        )
        params = [tsquery(words)]
    else:
        raise NotImplementedError(f"Full-text search is not available on {connection.vendor}.")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


# Indexing --------------------------------------------------------------------------------------------------------

# The formation's own fields a document is made of, in the order write_rows takes them (after the id, before the
# provider's name and the closing date).
INDEXED_FIELDS = ("title", "objective", "content", "expected_results", "certifications")
_INDEXED_FIELDS = ("pk", *INDEXED_FIELDS, "provider__name", "closed_at")


def _formation_model():
    from .models import Formation

    return Formation


def index_formations(formation_ids, using=None):
    """Refresh the search index of these formations (ids), in batches; closed or deleted ones leave it."""
    formation_model = _formation_model()
    using = using or router.db_for_write(formation_model)
    ids = sorted({int(pk) for pk in formation_ids})
    with transaction.atomic(using=using):
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            rows = formation_model._base_manager.using(using).filter(pk__in=batch).values_list(*_INDEXED_FIELDS)
            write_rows(connections[using], batch, rows)


def rebuild_index(using=None):
    """Index every formation again (after a bulk load that did not index as it went). Returns how many are open."""
    formation_model = _formation_model()
    using = using or router.db_for_write(formation_model)
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
        ids = list(
            formation_model._base_manager.using(using).filter(closed_at__isnull=True).values_list("pk", flat=True)
        )
        index_formations(ids, using=using)
    return len(ids)


def write_rows(connection, ids, rows):
    """Replace the index rows of `ids` with the documents of `rows` (tuples of _INDEXED_FIELDS; closed ones are
    left out). Also used by the migration that creates the index, with its historical models."""
    documents = [
        (pk, *document(title, provider_name, (objective, content, expected, certification_text(certifications))))
        for pk, title, objective, content, expected, certifications, provider_name, closed_at in rows
        if closed_at is None
    ]
    vendor = connection.vendor
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            if ids:
                cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", list(ids))
            if documents:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, title, provider, body) VALUES (%s, %s, %s, %s)", documents
                )
        elif vendor == "postgresql":
            if ids:
                cursor.execute(f"DELETE FROM {TABLE} WHERE formation_id IN ({placeholders})", list(ids))
            if documents:
                # One statement for all the documents: the columns as arrays, unnested.
                cursor.execute(
                    f"INSERT INTO {TABLE} (formation_id, document) SELECT id, "
                    "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', provider), 'C') "
                    "|| setweight(to_tsvector('simple', body), 'D') "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS d(id, title, provider, body) "
                    "ON CONFLICT (formation_id) DO UPDATE SET document = EXCLUDED.document",
                    [list(column) for column in zip(*documents, strict=True)],
                )
        else:
            raise NotImplementedError(f"Full-text search is not available on {vendor}.")
