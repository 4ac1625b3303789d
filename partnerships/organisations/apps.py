from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "partnerships.organisations"
    label = "organisations"
    verbose_name = "Organisations"
