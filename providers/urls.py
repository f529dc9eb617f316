from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("", views.ServiceListView.as_view(), name="service-list"),
    path(
        "download.csv",
        views.ServiceDownloadView.as_view(format="csv"),
        name="service-list-csv",
    ),
    path(
        "download.json",
        views.ServiceDownloadView.as_view(format="json"),
        name="service-list-json",
    ),
    path("<int:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
]
