"""The activity list's search served by an index, as orders/0007 does for orders.

- PostgreSQL: ``pg_trgm`` GIN indexes on ``UPPER(column)``, the expression
  Django's ``icontains`` compares, for the subject and the reason.
- SQLite: an FTS5 table with the trigram tokenizer over the same two columns
  (external content: it stores the index, not a copy of the rows), filled
  from the events there are and kept in sync by triggers.

A later migration that makes Django rebuild ``activity_event`` on SQLite
drops the triggers with the old table: it must create them again
(``SQLITE_TRIGGERS``). ``apps/activity/tests/test_search.py`` fails if the
index falls out of sync.
"""

from django.db import migrations

POSTGRESQL = [
    # Trusted since PostgreSQL 13: the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX event_label_trgm ON activity_event "
    "USING gin ((UPPER(aggregate_label::text)) gin_trgm_ops)",
    "CREATE INDEX event_reason_trgm ON activity_event USING gin ((UPPER(reason::text)) gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS event_label_trgm",
    "DROP INDEX IF EXISTS event_reason_trgm",
]

SQLITE_TRIGGERS = [
    """CREATE TRIGGER activity_event_search_insert AFTER INSERT ON activity_event BEGIN
        INSERT INTO activity_event_search(rowid, aggregate_label, reason)
        VALUES (new.id, new.aggregate_label, new.reason);
    END""",
    """CREATE TRIGGER activity_event_search_delete AFTER DELETE ON activity_event BEGIN
        INSERT INTO activity_event_search(activity_event_search, rowid, aggregate_label, reason)
        VALUES ('delete', old.id, old.aggregate_label, old.reason);
    END""",
    """CREATE TRIGGER activity_event_search_update
    AFTER UPDATE OF aggregate_label, reason ON activity_event BEGIN
        INSERT INTO activity_event_search(activity_event_search, rowid, aggregate_label, reason)
        VALUES ('delete', old.id, old.aggregate_label, old.reason);
        INSERT INTO activity_event_search(rowid, aggregate_label, reason)
        VALUES (new.id, new.aggregate_label, new.reason);
    END""",
]
SQLITE = [
    "CREATE VIRTUAL TABLE activity_event_search USING fts5(aggregate_label, reason, "
    "content='activity_event', content_rowid='id', tokenize='trigram')",
    "INSERT INTO activity_event_search(activity_event_search) VALUES ('rebuild')",
    *SQLITE_TRIGGERS,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS activity_event_search_insert",
    "DROP TRIGGER IF EXISTS activity_event_search_delete",
    "DROP TRIGGER IF EXISTS activity_event_search_update",
    "DROP TABLE IF EXISTS activity_event_search",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0003_event_via"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
