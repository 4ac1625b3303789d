from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """Success stories: nominations, testimonials, curation, approval and publication."""

    name = "partnerships.stories"
    label = "stories"
    verbose_name = "Success stories"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the completion-prompt handlers
