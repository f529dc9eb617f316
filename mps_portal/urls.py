from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility_statement.html"),
        name="accessibility-statement",
    ),
    path(
        "cookies/",
        TemplateView.as_view(template_name="pages/cookies.html"),
        name="cookies",
    ),
    path("admin/", admin.site.urls),
    path("", include("councils.urls")),
    path("services/", include("providers.urls")),
    path("quality/", include("quality.urls")),
    path("opportunities/", include("tenders.urls")),
]
