from django.db import migrations


def create_gin_index(apps, schema_editor):
    """The full-text index exists only on PostgreSQL; other databases use the fallback search."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS projects_opportunity_search_gin "
            "ON projects_opportunity USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_opportunity_search_gin")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
