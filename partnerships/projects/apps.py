from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "partnerships.projects"
    label = "projects"
    verbose_name = "Opportunities, proposals and partnerships"
