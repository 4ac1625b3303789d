from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("", views.index, name="index"),
    path("platform/", views.platform, name="platform"),
    path(
        "platform/figures.csv",
        views.platform_csv,
        {"kind": "figures"},
        name="platform_figures_csv",
    ),
    path(
        "platform/hebci-table5.csv",
        views.platform_csv,
        {"kind": "hebci"},
        name="platform_hebci_csv",
    ),
    path("platform/kef.csv", views.platform_csv, {"kind": "kef"}, name="platform_kef_csv"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path(
        "organisations/<slug:slug>/figures.csv",
        views.organisation_csv,
        {"kind": "figures"},
        name="organisation_figures_csv",
    ),
    path(
        "organisations/<slug:slug>/hebci-table5.csv",
        views.organisation_csv,
        {"kind": "hebci"},
        name="organisation_hebci_csv",
    ),
    path(
        "organisations/<slug:slug>/kef.csv",
        views.organisation_csv,
        {"kind": "kef"},
        name="organisation_kef_csv",
    ),
]
