"""Unfiltered downloads sent from their complete file while it is current."""

from django.conf import settings
from django.db import DatabaseError

from councils import download_files
from councils.pagecache import (
    GENERATION_KEY,
    SCHEDULE_KEY,
    current_version,
    version_and,
)


def _version(request):
    lookup = getattr(request, "_page_cache", None)
    if lookup is not None:  # already read by the page cache's conditional GET
        return lookup[2]
    found, _ = version_and([])
    return current_version(found.get(GENERATION_KEY), found.get(SCHEDULE_KEY))


class CompleteDownloadMiddleware:
    """A download in ``COMPLETE_DOWNLOADS`` asked for with no query string is sent
    from the complete file made from the content as it is now, marked
    ``X-Download-Source: complete-file`` with ``X-Download-Produced``. With no such
    file the view streams it from the database as for any filters, marked
    ``X-Download-Source: database``, and a build of the file is queued: a visitor is
    never sent a file older than the content.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "_download_streamed", False)
            and response.status_code == 200
        ):
            response["X-Download-Source"] = "database"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not settings.DOWNLOAD_FILES
            or request.method not in ("GET", "HEAD")
            or request.META.get("QUERY_STRING")
            or request.resolver_match.view_name not in settings.COMPLETE_DOWNLOADS
        ):
            return None
        name = request.resolver_match.view_name
        try:
            version = _version(request)
        except DatabaseError:
            return None  # the view meets the outage too, and answers 503
        found = download_files.current_file(name, version)
        if found is not None:
            return found.response()
        request._download_streamed = True
        download_files.download_files_request_build()
        return None
