from django.urls import path

from . import views
from .feeds import ChangeFeed

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
    # Ahead of the section pattern, which would take "changes" for a heading.
    path(
        "councils/<slug:slug>/changes/",
        views.ChangeListView.as_view(),
        name="council-changes",
    ),
    path(
        "councils/<slug:slug>/changes/feed/",
        ChangeFeed(),
        name="council-change-feed",
    ),
    path(
        "councils/<slug:slug>/<slug:heading_slug>/",
        views.SectionDetailView.as_view(),
        name="section-detail",
    ),
    path(
        "preview/sections/<int:pk>/",
        views.SectionPreviewView.as_view(),
        name="section-preview",
    ),
    path(
        "preview/intentions/<int:pk>/",
        views.IntentionPreviewView.as_view(),
        name="intention-preview",
    ),
    path("changes/", views.ChangeListView.as_view(), name="change-list"),
    path("changes/feed/", ChangeFeed(), name="change-feed"),
    path("changes/<int:pk>/", views.ChangeDetailView.as_view(), name="change-detail"),
    path("compare/", views.CompareIndexView.as_view(), name="compare-index"),
    path("compare/<slug:heading_slug>/", views.CompareView.as_view(), name="compare"),
]

urlpatterns += [
    path("markets/", views.MarketListView.as_view(), name="market-list"),
    path(
        "markets/intentions.csv",
        views.IntentionDownloadView.as_view(format="csv"),
        name="intention-list-csv",
    ),
    path(
        "markets/intentions.json",
        views.IntentionDownloadView.as_view(format="json"),
        name="intention-list-json",
    ),
    path(
        "markets/<slug:slug>/", views.MarketDetailView.as_view(), name="market-detail"
    ),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "indicators/figures.csv",
        views.IndicatorValueDownloadView.as_view(format="csv"),
        name="indicator-figures-csv",
    ),
    path(
        "indicators/figures.json",
        views.IndicatorValueDownloadView.as_view(format="json"),
        name="indicator-figures-json",
    ),
    path(
        "indicators/<slug:slug>/",
        views.IndicatorDetailView.as_view(),
        name="indicator-detail",
    ),
]
