from django.urls import path

from . import views

app_name = "councils"

urlpatterns = [
    path("councils/", views.CouncilListView.as_view(), name="council-list"),
    path(
        "councils/<slug:slug>/",
        views.CouncilDetailView.as_view(),
        name="council-detail",
    ),
    path("councils/<slug:slug>/logo", views.council_logo, name="council-logo"),
    path(
        "councils/<slug:slug>/print/",
        views.CouncilPrintView.as_view(),
        name="council-print",
    ),
    path(
        "councils/<slug:slug>/<slug:heading_slug>/",
        views.SectionDetailView.as_view(),
        name="section-detail",
    ),
    path("compare/", views.CompareIndexView.as_view(), name="compare-index"),
    path("compare/<slug:heading_slug>/", views.CompareView.as_view(), name="compare"),
]
