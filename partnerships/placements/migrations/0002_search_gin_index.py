from django.db import migrations


def create_gin_index(apps, schema_editor):
    """The full-text index exists only on PostgreSQL; other databases use the fallback search."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS placements_placement_search_gin "
            "ON placements_placement USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS placements_placement_search_gin")


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
