from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("new/<slug:source>/", views.subscribe, name="subscribe"),
    path(
        "check-your-email/",
        views.AlertPage.as_view(template_name="alerts/check_email.html"),
        name="check-email",
    ),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/", views.manage_request, name="manage-request"),
    path(
        "manage/sent/",
        views.AlertPage.as_view(template_name="alerts/manage_sent.html"),
        name="manage-sent",
    ),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "privacy/",
        views.AlertPage.as_view(template_name="alerts/privacy.html"),
        name="privacy",
    ),
]
