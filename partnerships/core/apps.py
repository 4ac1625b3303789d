from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "partnerships.core"
    label = "core"
    verbose_name = "Core and taxonomy"

    def ready(self) -> None:
        from . import page_cache

        page_cache.connect_signals()
