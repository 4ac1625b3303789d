from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    """Curriculum reviews: universities ask industry people to review a course or module."""

    name = "partnerships.curriculum"
    label = "curriculum"
    verbose_name = "Curriculum reviews"
