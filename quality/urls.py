from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path(
        "figures.csv",
        views.FiguresDownloadView.as_view(format="csv"),
        name="figures-csv",
    ),
    path(
        "figures.json",
        views.FiguresDownloadView.as_view(format="json"),
        name="figures-json",
    ),
    path("<slug:slug>/", views.CouncilQualityView.as_view(), name="council-quality"),
]
