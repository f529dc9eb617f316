"""When the database is down: a plain 503 page, and recovery without a restart."""

from django.db import InterfaceError, OperationalError, close_old_connections
from django.http import HttpResponse
from django.template import loader


class DatabaseUnavailableMiddleware:
    """Answers 503 with the "service unavailable" page when the database is unreachable.

    Django would answer 500, as for a bug. The broken connection is closed, so the
    next request opens a new one and the portal recovers by itself when the
    database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        close_old_connections()
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
