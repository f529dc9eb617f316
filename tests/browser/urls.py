"""The portal's URLs plus two that always fail, for the error pages' browser checks."""

from django.urls import path

from mps_portal.urls import handler500  # noqa: F401 - Django reads it from here
from mps_portal.urls import urlpatterns as portal_urls


def broken(request):
    raise RuntimeError("a deliberate failure, to show the 500 page")


def limited(request):  # never reached: its rate limit is 0 requests
    raise AssertionError("rate limit not applied")


urlpatterns = [
    *portal_urls,
    path("_test/server-error/", broken, name="browser-server-error"),
    path("_test/too-many-requests/", limited, name="browser-too-many-requests"),
]

# Added to settings.RATE_LIMITS for the browser tests: every request is refused.
RATE_LIMITS = {"browser": {"limit": 0, "urls": ["browser-too-many-requests"]}}
