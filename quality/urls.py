from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("<slug:slug>/", views.CouncilQualityView.as_view(), name="council-quality"),
]
