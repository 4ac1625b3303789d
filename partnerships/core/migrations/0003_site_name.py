from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_site(apps, schema_editor):
    """allauth signs its emails with the Site's name: make it "Tandem", not "example.com"."""
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"name": "Tandem", "domain": domain})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_seed_taxonomy"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
