from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "partnerships.impact"
    label = "impact"
    verbose_name = "Impact"
