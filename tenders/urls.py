from django.urls import path

from . import views
from .feeds import TenderFeed
from .rates import RateDownloadView

app_name = "tenders"

urlpatterns = [
    path("", views.TenderListView.as_view(), name="tender-list"),
    path("download.csv", views.TenderCsvView.as_view(), name="tender-list-csv"),
    path("download.json", views.TenderJsonView.as_view(), name="tender-list-json"),
    path("ocds.json", views.TenderOcdsView.as_view(), name="tender-list-ocds"),
    path("feed/", TenderFeed(), name="tender-feed"),
    path("rates.csv", RateDownloadView.as_view(format="csv"), name="rate-list-csv"),
    path("rates.json", RateDownloadView.as_view(format="json"), name="rate-list-json"),
    path("arrangements/", views.ArrangementListView.as_view(), name="arrangement-list"),
    path(
        "arrangements/download.csv",
        views.ArrangementCsvView.as_view(),
        name="arrangement-list-csv",
    ),
    path(
        "arrangements/download.json",
        views.ArrangementJsonView.as_view(),
        name="arrangement-list-json",
    ),
    path(
        "arrangements/<slug:council_slug>/<int:pk>/",
        views.ArrangementDetailView.as_view(),
        name="arrangement-detail",
    ),
    path(
        "<slug:council_slug>/<path:reference>/",
        views.TenderDetailView.as_view(),
        name="tender-detail",
    ),
]
