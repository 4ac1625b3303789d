from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "partnerships.placements"
    label = "placements"
    verbose_name = "Internships and work placements"
