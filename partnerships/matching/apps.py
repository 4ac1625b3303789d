from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """Scores between people, organisations and opportunities, with explanations."""

    name = "partnerships.matching"
    label = "matching"
    verbose_name = "Matching"
