"""Site search: one index of every public page, on PostgreSQL or SQLite.

Each app says how its models become search documents, from its
``AppConfig.ready()``, as it does for panels::

    @search.register(
        "tender",
        label="Tender opportunities",
        order=20,
        indexed=lambda: Tender.objects.select_related("council"),
        visible=lambda: Tender.live.visible(),
        related=("types_of_care",),
        family="live_of",
    )
    def tender_document(tender) -> search.Document:
        return search.Document(title=tender.title, body=..., url=..., council=...,
                               visible_from=..., visible_until=...)

``indexed`` is every row that may ever be shown (a scheduled tender too, not a
withdrawn one); each document says when readers see it (``visible_from`` and
``visible_until``, compared with ``clock.now()`` when searching), so publish times
and replaced live copies need no index job, and searching tests two columns
instead of each source's own "live" query. ``visible`` is that query, what readers
see now: the tests check the documents' times against it. Rows of one ``family``
(the live copies of one working copy) set each other's times, so saving or
deleting one re-indexes them all. Saving or deleting a row, and changing its
``related`` many-to-many fields, update its document through signals; code that
writes in bulk (imports) calls ``index_queryset``, and
``manage.py rebuild_search_index`` makes the whole index again.

Queries are typed as on the web, and mean the same on both databases
(``parse_query``):

- every word must be on the page, with English stemming (``supported living``
  finds "support living" too); the last word may be the start of a longer one;
- "quoted words" must be together, in that order, and so must the names of types
  of care even unquoted (``home care`` finds home care, not "care home");
- a minus leaves a word or phrase out (``day services -older``).

PostgreSQL searches a weighted tsvector (title A, body B) through ``to_tsquery``
(each word quoted as a lexeme), ranks with ``ts_rank`` and highlights with
``ts_headline``; SQLite searches its FTS5 table (Porter stemmer), ranks with
``bm25`` and highlights with ``snippet``. Every word is quoted for both engines,
so nothing typed can reach either's query syntax.

A search (``find``) is worked out once per content version: one query reads each
visible match's kind, council, title and rank (the counts of kinds and councils
and the order of the results come from that one pass), and the counts with the
ids of the first 50 pages of results are kept in the shared cache under the
public content version (``councils.pagecache``), which every write to public
content and every scheduled publication falling due replace. Each page of
results is worked out once per content version too (its 20 documents and their
snippets, ``FoundResults``) and kept beside the search, so the same page asked
again reads nothing from the database; so are the phrases of ``known_phrases``
and the councils to choose from, for the search's form (``vocabulary``).
"""

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Set
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from . import clock
from .bulk import insert_rows
from .models import SearchDocument
from .pagecache import versioned_key
from .paging import MAX_PAGES

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Marks around matching words in snippets; taken out of every document's text.
START, STOP = "\x02", "\x03"
# PostgreSQL's english dictionary (Snowball's list) drops these words from queries
# and documents; SQLite's FTS5 keeps them. A word on its own that is one of them is
# left out of the query on both, so that both find the same pages.
_STOPWORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him
    his himself she her hers herself it its itself they them their theirs
    themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOPWORDS = frozenset(_STOPWORDS.split())
_STOPWORD_GROUPS = {(word,) for word in STOPWORDS}

BATCH = 1000


class QueryError(ValueError):
    """A query that cannot be searched, with a message for the person typing it."""


@dataclass(frozen=True)
class Document:
    """What a source row contributes to the index."""

    title: str
    url: str
    body: str = ""
    council: object | None = None
    published_at: object | None = None
    # Readers see the page from visible_from (empty: always) until visible_until
    # (empty: for good).
    visible_from: object | None = None
    visible_until: object | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    order: int
    model: type[models.Model]
    indexed: Callable[[], models.QuerySet]
    visible: Callable[[], models.QuerySet]
    document: Callable[[models.Model], Document]
    related: tuple[str, ...] = field(default=())
    family: str = ""


_registry: dict[str, Kind] = {}


def register(
    key: str,
    *,
    label: str,
    order: int,
    indexed: Callable[[], models.QuerySet],
    visible: Callable[[], models.QuerySet],
    model: type[models.Model] | None = None,
    related: tuple[str, ...] = (),
    family: str = "",
):
    """Index the rows of ``indexed()`` with the decorated document function.
    ``family`` names a field: rows with the same value in it (not empty) are
    indexed together, because each one's visible times depend on the others'."""

    def decorator(function):
        source = model or indexed().model
        kind = Kind(
            key, label, order, source, indexed, visible, function, related, family
        )
        _registry[key] = kind
        uid = f"search-{key}"
        post_save.connect(_saved, sender=source, dispatch_uid=uid, weak=False)
        post_delete.connect(_deleted, sender=source, dispatch_uid=uid, weak=False)
        for name in related:
            through = source._meta.get_field(name).remote_field.through
            m2m_changed.connect(
                _related_changed, sender=through, dispatch_uid=f"{uid}-{name}"
            )
        return function

    return decorator


def kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda kind: kind.order)


def _kinds_of(model) -> list[Kind]:
    return [kind for kind in _registry.values() if kind.model is model]


# Keeping the index current


def _with_family(kind: Kind, model, instance) -> models.QuerySet:
    """The row, or every row of its family, to index again."""
    rows = model._base_manager.all()
    if kind.family:
        value = getattr(instance, model._meta.get_field(kind.family).attname)
        if value is not None:
            return rows.filter(**{kind.family: value})
    return rows.filter(pk=instance.pk)


def _saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the demo loader rebuilds the index at the end
        return
    for kind in _kinds_of(sender):
        index_queryset(kind.key, _with_family(kind, sender, instance))


_bulk = threading.local()


@contextmanager
def deleting_in_bulk():
    """Delete many source rows at once: their documents go in one statement per
    model afterwards, instead of one per row from the ``post_delete`` handler."""
    if getattr(_bulk, "pending", None) is not None:
        yield
        return
    _bulk.pending = {}
    try:
        yield
        pending, _bulk.pending = _bulk.pending, None
        for content_type, pks in pending.items():
            pks = list(pks)
            for start in range(0, len(pks), BATCH):
                SearchDocument.objects.filter(
                    content_type=content_type, object_id__in=pks[start : start + BATCH]
                ).delete()
    finally:
        _bulk.pending = None


def _deleted(sender, instance, **kwargs):
    pending = getattr(_bulk, "pending", None)
    if pending is not None:
        content_type = ContentType.objects.get_for_model(
            sender, for_concrete_model=False
        )
        pending.setdefault(content_type, set()).add(instance.pk)
        return
    SearchDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(
            sender, for_concrete_model=False
        ),
        object_id=instance.pk,
    ).delete()
    for kind in _kinds_of(sender):
        if kind.family:
            # The rows left may be shown longer now (a scheduled copy deleted).
            family = _with_family(kind, sender, instance).exclude(pk=instance.pk)
            index_queryset(kind.key, family)


def _related_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        # Changed from the other side (a type of care's tenders): reindex those.
        for kind in _kinds_of(model):
            rows = model._base_manager.all()
            if pk_set is not None:
                rows = rows.filter(pk__in=pk_set)
            index_queryset(kind.key, rows)
        return
    for kind in _kinds_of(type(instance)):
        index_queryset(kind.key, type(instance)._base_manager.filter(pk=instance.pk))


def _plain(text: str) -> str:
    return text.replace(START, " ").replace(STOP, " ")


def index_queryset(key: str, rows: models.QuerySet) -> int:
    """Make the documents of these rows of kind ``key`` again (and remove those
    of rows no longer indexed). Returns how many documents were written."""
    return index_ids(key, rows.order_by().values_list("pk", flat=True))


def index_ids(
    key: str, ids: Iterable[int], *, new: Iterable[int] = (), batch: int = BATCH
) -> int:
    """Make the documents of the rows of kind ``key`` with these primary keys
    again (and remove those of rows no longer indexed), a batch at a time; for
    bulk writers that know which rows they added or changed. ``new`` are rows
    the writer has just added (in ``ids`` or not): they have no documents yet, so
    none are deleted for them. ``batch`` rows are read and written at a time (a
    writer of small documents may take more at once). No ids, no query. Returns
    how many documents were written."""
    new = set(new)
    ids = sorted(new.union(ids))
    if not ids:
        return 0
    kind = _registry[key]
    content_type = ContentType.objects.get_for_model(
        kind.model, for_concrete_model=False
    )
    written = 0
    row_of = _document_row_maker(key, kind, content_type)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        documents = [row_of(obj) for obj in kind.indexed().filter(pk__in=chunk)]
        stale = [pk for pk in chunk if pk not in new]
        if stale:
            SearchDocument.objects.filter(
                content_type=content_type, object_id__in=stale
            ).delete()
        _insert_documents(documents)
        written += len(documents)
    return written


def index_new(key: str, objects: Iterable[models.Model]) -> int:
    """Add the documents of rows a bulk writer has just inserted, from instances
    it built itself (with their pks, and what the kind's ``indexed()`` would
    annotate or prefetch), without reading the rows back; they have no
    documents yet, so none are deleted. Returns how many were written."""
    kind = _registry[key]
    content_type = ContentType.objects.get_for_model(
        kind.model, for_concrete_model=False
    )
    documents = list(map(_document_row_maker(key, kind, content_type), objects))
    _insert_documents(documents)
    return len(documents)


def _document_row_maker(key: str, kind, content_type) -> Callable:
    """A function from a row of kind ``key`` to its document's values, in
    ``DOCUMENT_COLUMNS`` order."""
    times = [
        SearchDocument._meta.get_field(name).get_db_prep_save
        for name in ("published_at", "visible_from", "visible_until")
    ]

    def row_of(obj) -> tuple:
        made = kind.document(obj)
        council = made.council
        return (
            key,
            getattr(council, "pk", council),
            _plain(made.title)[:400],
            _plain(made.body),
            made.url,
            *(
                None if value is None else prep(value, connection)
                for prep, value in zip(
                    times,
                    (made.published_at, made.visible_from, made.visible_until),
                    strict=True,
                )
            ),
            content_type.pk,
            obj.pk,
        )

    return row_of


DOCUMENT_COLUMNS = [
    "kind",
    "council_id",
    "title",
    "body",
    "url",
    "published_at",
    "visible_from",
    "visible_until",
    "content_type_id",
    "object_id",
]


def _insert_documents(rows: list[tuple]) -> None:
    """Insert documents (tuples in ``DOCUMENT_COLUMNS`` order). On PostgreSQL
    they go by COPY into a temporary table and one INSERT that makes each search
    vector on the way in, so each row is written once (an insert and then an
    UPDATE of the vector writes every row and its index entries twice); on SQLite
    by ``executemany``, and the FTS5 triggers index them."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_rows(SearchDocument, DOCUMENT_COLUMNS, rows)
        return
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in DOCUMENT_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_documents_new ON COMMIT DROP "  # noqa: S608
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE search_documents_new")
        with (
            connection.wrap_database_errors,
            cursor.copy(f"COPY search_documents_new ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, search_vector) "  # noqa: S608
            f"SELECT {columns}, {VECTOR_SQL} FROM search_documents_new"
        )
        cursor.execute("TRUNCATE search_documents_new")


# Title weighted A, body B, English stemming: as SearchVector("title",
# weight="A", config="english") + SearchVector("body", weight="B", ...) writes it.
VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'B')"
)


def rebuild(keys: Iterable[str] | None = None) -> dict[str, int]:
    """Make every document of these kinds (all kinds by default) again."""
    counts = {}
    for key in keys or [kind.key for kind in kinds()]:
        kind = _registry[key]
        SearchDocument.objects.filter(kind=key).delete()
        counts[key] = index_queryset(key, kind.indexed())
    return counts


def missing_kinds(keys: Iterable[str] | None = None) -> list[str]:
    """The kinds (of these) that have rows to index but no document at all: what a
    migration that removed a kind's documents leaves (two queries per kind)."""
    missing = []
    for key in keys or [kind.key for kind in kinds()]:
        kind = _registry[key]
        if (
            not SearchDocument.objects.filter(kind=key).exists()
            and kind.indexed().exists()
        ):
            missing.append(key)
    return missing


# Queries

# SQLite FTS5: the table made by migration councils 0011. bm25 is lower for better
# matches, so it is negated; a title match counts ten times a body match.
FTS_MATCH = (
    "SELECT rowid FROM councils_searchdocument_fts "
    "WHERE councils_searchdocument_fts MATCH %s"
)
FTS_RANK = (
    "SELECT -bm25(councils_searchdocument_fts, 10.0, 1.0) "
    "FROM councils_searchdocument_fts WHERE councils_searchdocument_fts MATCH %s "
    "AND rowid = councils_searchdocument.id"
)
FTS_SNIPPET = (
    "SELECT rowid, snippet(councils_searchdocument_fts, 1, char(2), char(3), "
    "' … ', 30) FROM councils_searchdocument_fts "
    "WHERE councils_searchdocument_fts MATCH %s"
)

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s",]+)|(,)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ParsedQuery:
    """A query as groups of words: each group is found as a phrase, every wanted
    group must be on the page and no unwanted one. With ``prefix`` the last word of
    the last wanted group also matches longer words ("ne8 1" finds "NE8 1HH")."""

    wanted: tuple[tuple[str, ...], ...]
    unwanted: tuple[tuple[str, ...], ...]
    prefix: bool = False

    def words(self) -> list[str]:
        return [word for group in self.wanted for word in group]

    def tsquery(self) -> str:
        """For PostgreSQL's to_tsquery: every word a quoted lexeme (words are
        letters and digits only, so nothing typed reaches its syntax)."""

        def phrase(group, prefix=False):
            lexemes = [f"'{word}'" for word in group]
            if prefix:
                lexemes[-1] += ":*"
            return "(" + " <-> ".join(lexemes) + ")"

        last = len(self.wanted) - 1
        parts = [
            phrase(group, self.prefix and i == last)
            for i, group in enumerate(self.wanted)
        ]
        parts += [f"!{phrase(group)}" for group in self.unwanted]
        return " & ".join(parts)

    def fts5(self) -> str:
        """For SQLite FTS5's MATCH: quoted phrases, AND and NOT."""
        last = len(self.wanted) - 1
        wanted = " AND ".join(
            f'"{" ".join(group)}"' + ("*" if self.prefix and i == last else "")
            for i, group in enumerate(self.wanted)
        )
        unwanted = "".join(f' NOT "{" ".join(group)}"' for group in self.unwanted)
        return f"({wanted}){unwanted}"


def known_phrases() -> set[tuple[str, ...]]:
    """Names of types of care (and councils' own words for them) of two or more
    words: typed unquoted, they are still searched as phrases, because "home care"
    and "care home" are different markets."""
    from .models import TypeOfCare

    # One query: each type of care with its aliases (or none) beside it.
    rows = TypeOfCare.objects.order_by().values_list("name", "aliases__name")
    names = {name for row in rows for name in row if name}
    phrases = set()
    for name in names:
        words = tuple(_WORD.findall(name.lower()))
        if len(words) > 1:
            phrases.add(words)
            if words[-1].endswith("s"):  # "care homes" and "care home"
                phrases.add((*words[:-1], words[-1][:-1]))
    return phrases


def kept_phrases() -> frozenset[tuple[str, ...]]:
    """``known_phrases``, worked out once per content version and kept in the
    shared cache: a finder's keywords are read with them on every request, and
    their query (types of care with their aliases) was a millisecond of each."""
    key = versioned_key("search:phrases")
    found = cache.get(key)
    if found is None:
        found = frozenset(known_phrases())
        cache.set(key, found, timeout=FOUND_SECONDS)
    return found


@dataclass(frozen=True)
class Vocabulary:
    """What the site search's form takes from the content: the phrases a query
    is read with (``known_phrases``) and every council's id, slug and name, in
    name order (the council checkboxes)."""

    phrases: frozenset[tuple[str, ...]]
    councils: tuple[tuple[int, str, str], ...]


def vocabulary() -> Vocabulary:
    """The ``Vocabulary`` now: worked out once per content version and kept in
    the shared cache, one entry read once per search request (two queries, and
    153 model instances for the councils, the first time only). The finders'
    keyword boxes read the phrases alone (``kept_phrases``)."""
    from .models import Council

    key = versioned_key("search:vocabulary")
    found = cache.get(key)
    if found is None:
        found = Vocabulary(
            phrases=frozenset(known_phrases()),
            councils=tuple(
                Council.objects.order_by("name").values_list("pk", "slug", "name")
            ),
        )
        cache.set(key, found, timeout=FOUND_SECONDS)
    return found


def _group_words(words: list[str], phrases: Set[tuple[str, ...]]) -> list[tuple]:
    """Unquoted words one by one, except known phrases, which stay together."""
    groups, i = [], 0
    longest = max((len(phrase) for phrase in phrases), default=0)
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            if tuple(words[i : i + size]) in phrases:
                groups.append(tuple(words[i : i + size]))
                i += size
                break
        else:
            groups.append((words[i],))
            i += 1
    return groups


def parse_query(text: str, phrases: Set[tuple[str, ...]] | None = None) -> ParsedQuery:
    """Read a query as typed on the web. Raises QueryError with a message to show.

    Unquoted words must all be on the page, anywhere; "quoted words" and the names
    of types of care (``known_phrases``) must be together, in that order; a word
    or quoted phrase after a minus must not be on the page.
    """
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"Search for {MAX_QUERY_LENGTH} characters or fewer: this is {len(text)}"
        )
    if phrases is None:
        phrases = known_phrases()
    wanted: list[tuple[str, ...]] = []
    unwanted: list[tuple[str, ...]] = []
    run: list[str] = []
    prefix = False

    def end_run():
        wanted.extend(_group_words(run, phrases))
        run.clear()

    for match in _TOKEN.finditer(text):
        quoted_minus, phrase, minus, word, comma = match.groups()
        prefix = False
        if comma:
            end_run()
        elif phrase is not None:
            end_run()
            words = tuple(_WORD.findall(phrase.lower()))
            if words:
                (unwanted if quoted_minus else wanted).append(words)
        elif minus:
            end_run()
            words = tuple(_WORD.findall(word.lower()))
            if words:
                unwanted.append(words)
        else:
            found = _WORD.findall(word.lower())
            run.extend(found)
            # A last word typed bare may be the start of a longer one.
            prefix = bool(found)
    end_run()
    if not wanted:
        if unwanted:
            raise QueryError(
                "Enter a word to search for as well as the words to leave out"
            )
        raise QueryError("Enter words to search for: letters or numbers")
    if sum(len(group) for group in wanted + unwanted) > MAX_TERMS:
        raise QueryError(f"Search for {MAX_TERMS} words or fewer")
    if wanted[-1] in _STOPWORD_GROUPS:
        prefix = False
    wanted = [group for group in wanted if group not in _STOPWORD_GROUPS]
    unwanted = [group for group in unwanted if group not in _STOPWORD_GROUPS]
    if not wanted:
        raise QueryError(
            "Enter words to search for that are not too common: words such as "
            "“the”, “and” and “of” are on almost every page, so they are not "
            "searched for"
        )
    return ParsedQuery(tuple(wanted), tuple(unwanted), prefix)


def visible_documents(now=None) -> models.QuerySet:
    """Documents of pages readers may see now (``clock.now()``): two columns
    tested on each matching row, whatever the kind."""
    now = now or clock.now()
    return SearchDocument.objects.filter(
        Q(visible_from__isnull=True) | Q(visible_from__lte=now),
        Q(visible_until__isnull=True) | Q(visible_until__gt=now),
    )


def matching(query: ParsedQuery, documents=None) -> models.QuerySet:
    """Documents matching the query, annotated with ``rank`` (higher is better)."""
    documents = SearchDocument.objects.all() if documents is None else documents
    if connection.vendor == "postgresql":
        search = _pg_query(query)
        return documents.filter(search_vector=search).annotate(
            rank=SearchRank(F("search_vector"), search)
        )
    match = query.fts5()
    return documents.filter(pk__in=RawSQL(FTS_MATCH, [match])).annotate(  # noqa: S611
        rank=RawSQL(FTS_RANK, [match], output_field=models.FloatField())  # noqa: S611
    )


def matching_ids(key: str, query: ParsedQuery) -> models.QuerySet:
    """The source ids of kind ``key`` that readers may see and that match the
    query (for a finder's keyword box); a subquery, so the finder can filter
    ``pk__in`` on it."""
    return (
        matching(query, visible_documents().filter(kind=key))
        .order_by()
        .values("object_id")
    )


class OneOf(models.Lookup):
    """``key IN (...)`` for a long list of integer keys, given to the database as
    one value rather than one parameter per key: on PostgreSQL ``key =
    ANY(%s::bigint[])`` with the keys as one array literal, on SQLite ``key IN
    (SELECT value FROM json_each(%s))`` with them as one JSON array. Each key as
    a constant of its own cost Django a parameter and PostgreSQL a node to plan:
    a finder's keyword matching 2,962 tenders spent 27 ms planning its union of
    three parts, which then ran in 3 ms. The literal is written here, once
    (psycopg's list adapter checks each element with a regular expression: 10
    ms a request for those keys), and the keys are not prepared one by one as
    ``__in`` prepares them. Used as an expression, ``tenders.filter(OneOf(F("pk"),
    ids))``."""

    lookup_name = "one_of"
    prepare_rhs = False

    @cached_property
    def keys(self) -> str:
        """The keys, each checked to be an integer, as "1,2,3"."""
        keys = ",".join(str(int(key)) for key in dict.fromkeys(self.rhs))
        if not keys:
            raise EmptyResultSet
        return keys

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Cast to the column's own type: as a list of another type the database
        # misjudges how many rows match and may sort them all.
        array = f"{self.lhs.output_field.cast_db_type(connection)}[]"
        return f"{lhs} = ANY(%s::{array})", (*lhs_params, f"{{{self.keys}}}")

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            # lhs is the column as Django compiled it; the keys are a parameter.
            f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608
            (*lhs_params, f"[{self.keys}]"),
        )


def with_matches(queryset: models.QuerySet, matches) -> models.QuerySet:
    """``queryset`` narrowed to the rows in ``matches``: a list of keys
    (``few_matching_ids``, as one value: ``OneOf``) or a subquery of them."""
    if isinstance(matches, list):
        return queryset.filter(OneOf(F("pk"), matches))
    return queryset.filter(pk__in=matches)


# A finder's keyword that matches no more pages than this is looked up first,
# and the finder filtered by the list of their ids (``OneOf``). At national
# scale, "dementia respite" matches 2,962 tenders: through the subquery the
# database walked some 7,700 tenders in the finder's order, checking each one's
# search document (85 ms); by the list of ids, the same walk checks each against
# the list (3 ms). A word matching far more (27,607 for "dementia") finds its
# first page within a few hundred tenders either way, and the list would only
# grow.
FEW_MATCHES = 5000
# What ``few_matching_ids`` keeps when there are more than ``FEW_MATCHES``.
MANY_MATCHES = "many"


def few_matching_ids(key: str, query: ParsedQuery) -> list[int] | None:
    """The ids ``matching_ids`` finds, as a list, when there are no more than
    ``FEW_MATCHES``; otherwise None (one query either way, that stops after
    ``FEW_MATCHES + 1``). Filtering a finder by a short list of ids lets the
    database start from those rows: given the subquery, it may walk the
    finder's whole sort order looking for the few that match, as the number of
    matches it guesses is often far from the truth.

    Worked out once per content version and kept in the shared cache, as a
    site search is (``find``): for a common word the query read some 1,000
    pages of search documents (3 ms at national scale) on every request of
    every sort and page of the same keywords."""
    cache_key = versioned_key(
        "search:few",
        key,
        query.wanted,
        query.unwanted,
        query.prefix,
        FEW_MATCHES,
    )
    kept = cache.get(cache_key)
    if kept is None:
        ids = list(
            matching_ids(key, query).values_list("object_id", flat=True)[
                : FEW_MATCHES + 1
            ]
        )
        kept = ids if len(ids) <= FEW_MATCHES else MANY_MATCHES
        cache.set(cache_key, kept, timeout=FOUND_SECONDS)
    return None if kept == MANY_MATCHES else kept


# The results of one search that can be paged through: the first 50 pages of 20,
# as the finders (``councils.paging``).
MAX_RESULTS = MAX_PAGES * 20
# Searches are kept per content version (``find``); this only bounds how long an
# entry nobody asks for again takes cache space.
FOUND_SECONDS = 3600


@dataclass(frozen=True)
class Found:
    """What one search found: how many matches each kind of page and council has,
    how many the results hold, and the ids of the first ``MAX_RESULTS`` of them,
    best first."""

    by_kind: dict[str, int]
    by_council: dict[int, int]
    total: int
    ids: tuple[int, ...]
    # The shared-cache key it is kept under (``find``): its pages are kept beside it.
    key: str = ""


def find(query: ParsedQuery, *, kinds=(), councils=()) -> Found:
    """Search the pages readers may see now: the counts of each kind of page and
    each council, and the results' ids in rank order (``rank_matches``), with
    the kinds and councils chosen applied.

    Each search is worked out once per content version (``councils.pagecache``)
    and kept in the shared cache: any write to public content (the search index
    is written with it) and any scheduled publication falling due make a new
    version, so what is kept is exactly what searching again would give. Every
    page of the same search shares it; each request reads only the documents of
    its own page.
    """
    kinds, councils = sorted(set(kinds)), sorted(set(councils))
    key = versioned_key(
        "search:found", query.wanted, query.unwanted, query.prefix, kinds, councils
    )
    found = cache.get(key)
    if found is None:
        found = replace(rank_matches(query, kinds=kinds, councils=councils), key=key)
        cache.set(key, found, timeout=FOUND_SECONDS)
    return found


def rank_matches(query: ParsedQuery, *, kinds=(), councils=()) -> Found:
    """Count and rank the visible matches in one statement that reads each match
    once (the index finds the matches; counting and ranking them in two
    statements read every matching row twice): the matches' kind, council, title
    and rank are gathered once (a materialised CTE), then counted by kind and
    council, and the first ``MAX_RESULTS`` of those chosen ranked in the
    database, so only the counts and those ids come back, not every match.

    Each facet ignores its own choice (what ticking another would add): kinds are
    counted in the councils chosen, councils in the kinds chosen. Results are
    ordered by rank (higher first), then title (by code point, whatever the
    database's collation), then id.
    """
    kinds, councils = sorted(set(kinds)), sorted(set(councils))
    rows = (
        matching(query, visible_documents())
        .order_by()
        .values_list("pk", "kind", "council_id", "title", "rank")
    )
    matches, params = rows.query.sql_with_params()
    chosen, chosen_params = [], []
    for column, values in (("kind", kinds), ("council_id", councils)):
        if values:
            chosen.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            chosen_params += values
    where = f"WHERE {' AND '.join(chosen)} " if chosen else ""
    postgresql = connection.vendor == "postgresql"
    title = 'title COLLATE "C"' if postgresql else "title"
    # Only column names and "%s" placeholders are added to the ORM's SQL.
    sql = (
        f"WITH matches AS {'MATERIALIZED ' if postgresql else ''}({matches}) "  # noqa: S608
        "SELECT kind, council_id, COUNT(*), CAST(NULL AS BIGINT) FROM matches "
        "GROUP BY kind, council_id UNION ALL "
        "SELECT * FROM (SELECT NULL, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), pk "
        f"FROM matches {where}ORDER BY rank DESC, {title}, pk LIMIT %s) AS best"
    )
    by_kind, by_council, total, ids = Counter(), Counter(), 0, []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *chosen_params, MAX_RESULTS])
        for kind, council_id, count, pk in cursor.fetchall():
            if pk is not None:
                ids.append(pk)
                continue
            kind_chosen = not kinds or kind in kinds
            council_chosen = not councils or council_id in councils
            if council_chosen:
                by_kind[kind] += count
            if kind_chosen and council_id is not None:
                by_council[council_id] += count
            if kind_chosen and council_chosen:
                total += count
    return Found(
        by_kind=dict(by_kind),
        by_council=dict(by_council),
        total=total,
        ids=tuple(ids),
    )


@dataclass(frozen=True)
class Result:
    """One result as its page shows it: what is kept of a page of results."""

    pk: int
    kind: str
    kind_label: str
    title: str
    url: str
    council_name: str
    snippet: SafeString


class FoundResults:
    """The results of ``find`` for the Paginator (which needs only ``count()`` and
    slicing). A page is worked out once per content version, as the search: its
    documents are read by id, in rank order, with their snippets, and kept in the
    shared cache beside the search (under its key, so under the same content
    version); the same page asked again reads nothing from the database."""

    def __init__(self, found: Found, query: ParsedQuery):
        self.found, self.query = found, query

    def count(self) -> int:
        return self.found.total

    def __getitem__(self, page: slice) -> list[Result]:
        ids = self.found.ids[page]
        key = f"{self.found.key}:page:{page.start}:{page.stop}"
        results = cache.get(key) if self.found.key else None
        if results is None:
            results = page_results(ids, self.query)
            if self.found.key:
                cache.set(key, results, timeout=FOUND_SECONDS)
        return results


def page_results(ids: Iterable[int], query: ParsedQuery) -> list[Result]:
    """The results with these document ids, in this order, with their snippets
    (two queries). A document gone since (its version is gone too) is left out."""
    ids = list(ids)
    by_id = SearchDocument.objects.select_related("council").in_bulk(ids)
    documents = [by_id[pk] for pk in ids if pk in by_id]
    snippets(documents, query)
    labels = {kind.key: kind.label for kind in kinds()}
    return [
        Result(
            pk=document.pk,
            kind=document.kind,
            kind_label=labels.get(document.kind, document.kind),
            title=document.title,
            url=document.url,
            council_name=document.council.name if document.council else "",
            snippet=document.snippet,
        )
        for document in documents
    ]


def _pg_query(query: ParsedQuery) -> SearchQuery:
    return SearchQuery(query.tsquery(), search_type="raw", config="english")


def snippets(documents: list[SearchDocument], query: ParsedQuery) -> None:
    """Set ``snippet`` (safe HTML, matches in <mark>) on each document: one query."""
    if not documents:
        return
    ids = [document.pk for document in documents]
    if connection.vendor == "postgresql":
        rows = (
            SearchDocument.objects.filter(pk__in=ids)
            .annotate(
                headline=SearchHeadline(
                    "body",
                    _pg_query(query),
                    config="english",
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "headline")
        )
        found = dict(rows)
    else:
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            # Only "%s" placeholders are added to the constant SQL.
            cursor.execute(
                f"{FTS_SNIPPET} AND rowid IN ({placeholders})",
                [query.fts5(), *ids],
            )
            found = dict(cursor.fetchall())
    for document in documents:
        text = found.get(document.pk) or ""
        if START not in text:
            # The words matched the title only: the start of the body instead.
            text = Truncator(document.body).words(35)
        document.snippet = highlighted(text)


def highlighted(text: str) -> SafeString:
    """Escape the text, then turn the match marks into <mark> elements."""
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our marks added
