from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from councils.scoping import view_on_site
from mps_portal.views import healthz

handler500 = "mps_portal.views.server_error"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
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
    # Ahead of the admin's own route for the same address: scoped to the user.
    path(
        f"{settings.ADMIN_PATH}r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("councils.urls")),
    path("services/", include("providers.urls")),
    path("quality/", include("quality.urls")),
    path("opportunities/", include("tenders.urls")),
    path("alerts/", include("councils.alerts.urls")),
]
