from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "partnerships.core"
    label = "core"
    verbose_name = "Core and taxonomy"
