"""Site-wide views: the server error page and the health check."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.middleware.csp import get_nonce
from django.template import loader
from django.views.decorators.cache import never_cache


def server_error(request):
    """Django's 500 view, with the page's CSP nonce so its scripts may run.

    Like Django's own it renders without context processors: whatever failed may
    be one of them.
    """
    template = loader.get_template("500.html")
    response = HttpResponseServerError(
        template.render({"csp_nonce": get_nonce(request)})
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def healthz(request):
    """200 "ok" when the database answers, 503 otherwise: for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")
