from django.urls import path

from . import views
from .feeds import TenderFeed

app_name = "tenders"

urlpatterns = [
    path("", views.TenderListView.as_view(), name="tender-list"),
    path("download.csv", views.TenderCsvView.as_view(), name="tender-list-csv"),
    path("download.json", views.TenderJsonView.as_view(), name="tender-list-json"),
    path("ocds.json", views.TenderOcdsView.as_view(), name="tender-list-ocds"),
    path("feed/", TenderFeed(), name="tender-feed"),
    path(
        "<slug:council_slug>/<path:reference>/",
        views.TenderDetailView.as_view(),
        name="tender-detail",
    ),
]
