"""PostgreSQL: the rate counters in an UNLOGGED table. A hall behind one address counts
every card ballot on one counter row: each upsert waited for the one before it to be
flushed to the write-ahead log (bench/voting.py: the counter took as long as the vote).
Without WAL a counter's commit does not wait for the disk; after a crash the table
starts empty, which costs a few uncounted requests and nothing else. SQLite: no change
(core.ratelimit commits its counters without a sync there)."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_chain_per_province")]
    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
