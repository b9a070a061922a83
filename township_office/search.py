"""Chinese substring search over a few text columns, served by an index on both databases.

``__contains`` is ``LIKE '%…%'``, which no B-tree index serves: over ten years of records every search
would read the whole table. So each searched table gets a trigram index, created by the migration
operation :class:`CreateSearchIndex`:

- PostgreSQL: ``pg_trgm`` GIN indexes on the columns; ``LIKE '%…%'`` uses them as it is, for patterns
  of three characters or more.
- SQLite: an FTS5 table with the trigram tokenizer (``<table>_fts``), kept up to date by triggers;
  :func:`matching` asks it for the ids (``MATCH`` needs at least three characters).

Shorter words (two-character Chinese words such as 防汛 are common) fall back to ``LIKE`` on both:
an index of character triples cannot answer them. The results are the same either way: the rows where
one of the columns contains the words as typed (ASCII case-insensitive, as ``LIKE`` is on SQLite).

Control characters (a NUL byte from ``?q=a%00b``, tabs, line breaks) are removed from the words before
the search, and from the string values of ``extra``: PostgreSQL refuses a NUL in any string and nobody
searches for one. So a pasted or hostile search never gives a server error; it searches for what is left.
"""

import copy
import unicodedata
from functools import reduce
from operator import or_

from django.db import connections, router
from django.db.migrations.operations.base import Operation
from django.db.models import Q
from django.db.models.expressions import RawSQL

MIN_INDEXED_LENGTH = 3
MAX_LENGTH = 200  # longer searches are cut: no column searched is longer than this is useful for


def clean(q):
    """The search words, trimmed, at most MAX_LENGTH long: tabs and line breaks become spaces; other control,
    surrogate, private-use and unassigned characters (a NUL byte) are dropped."""
    if q is None:
        return ""
    kept = []
    for ch in str(q):
        if ch in "\t\n\r\x0b\x0c":
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"):
            kept.append(ch)
    return "".join(kept).strip()[:MAX_LENGTH]


def _clean_condition(condition):
    """A copy of the Q ``condition`` whose string values are :func:`clean`-ed (see the module docstring)."""
    condition = copy.deepcopy(condition)

    def walk(node):
        for i, child in enumerate(node.children):
            if isinstance(child, Q):
                walk(child)
            elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[1], str):
                node.children[i] = (child[0], clean(child[1]))

    walk(condition)
    return condition


def fts_table(db_table):
    return f"{db_table}_fts"


def matching(queryset, q, fields, *, extra=None):
    """The rows of ``queryset`` where any of ``fields`` (the indexed columns) contains ``q``.

    ``extra``: a further Q that also counts as a match (e.g. an exact serial number).
    """
    q = clean(q)
    if not q:
        return queryset
    model = queryset.model
    vendor = connections[router.db_for_read(model)].vendor
    if vendor == "sqlite" and len(q) >= MIN_INDEXED_LENGTH:
        table = fts_table(model._meta.db_table)
        phrase = '"' + q.replace('"', '""') + '"'  # one FTS5 phrase: the text as typed, no query syntax
        condition = Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [phrase]))
    else:
        condition = reduce(or_, (Q(**{f"{field}__contains": q}) for field in fields))
    if extra is not None:
        condition |= _clean_condition(extra)
    return queryset.filter(condition)


class CreateSearchIndex(Operation):
    """Migration operation: the trigram index of ``model_name``'s ``fields`` (see the module docstring).

    On SQLite: the FTS5 table, filled from the existing rows, and the triggers that keep it in step with
    every insert, update and delete (bulk ones included: SQLite triggers run per row).
    On PostgreSQL: ``CREATE EXTENSION pg_trgm`` and one GIN index per column. Other databases: nothing.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name, fields):
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name, self.fields], {}

    def state_forwards(self, app_label, state):
        pass

    def describe(self):
        return f"Create the trigram search index of {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name}_search"

    def _table_and_columns(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        columns = [model._meta.get_field(name).column for name in self.fields]
        return model._meta.db_table, columns

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self.allow_migrate_model(
            schema_editor.connection.alias, to_state.apps.get_model(app_label, self.model_name)
        ):
            return
        table, columns = self._table_and_columns(app_label, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for statement in sqlite_statements(table, columns):
                schema_editor.execute(statement)
        elif vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column in columns:
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table, columns = self._table_and_columns(app_label, from_state)
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            fts = fts_table(table)
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")
        elif vendor == "postgresql":
            for column in columns:
                schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class RestoreSearchTriggers(CreateSearchIndex):
    """Migration operation, after one that rebuilt an indexed table on SQLite (an AlterField or an AddField with a
    default copies the table into a new one, and the copy has no triggers): the triggers again and the index
    refilled. On PostgreSQL the indexes survive such changes: nothing to do."""

    def describe(self):
        return f"Restore the search triggers of {self.model_name} on SQLite"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name}_search_triggers"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        table, columns = self._table_and_columns(app_label, to_state)
        fts = fts_table(table)
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        for statement in sqlite_statements(table, columns)[1:]:  # the FTS table itself is still there
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def sqlite_statements(table, columns):
    """The FTS5 external-content table over ``table``'s ``columns``, its triggers, and its first fill."""
    fts = fts_table(table)
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
