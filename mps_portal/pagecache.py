"""Whole public pages from the shared cache for anonymous visitors, and conditional
GET on feeds and downloads.

A page is looked up and stored only for a request that cannot be anyone in
particular: a GET (or HEAD, looked up only) without a session or messages cookie,
outside the admin. Only what such a request would get from the view is stored:
a 200 HTML page, not streamed, that sets no cookie, uses no CSRF token, adds no
message, does not change the session and chose no Cache-Control or Vary of its own
(previews and ``never_cache`` views set Cache-Control). Signed-in staff carry a
session cookie, so they never see nor fill the cache; 4xx, 5xx and the rate
limits' 429 are never stored.

Entries are keyed on the absolute URL with its query sorted, and valid for one
content version (``councils.pagecache``): the version is read before the view
runs, so a change during rendering leaves the entry stale from the start.

The CSP nonce: the stored body has the nonce it was rendered with replaced by a
placeholder, and a served copy gets the request's own fresh nonce, which the CSP
middleware (outside this one) then puts in the header.

Feeds and downloads (``DOWNLOAD_URLS``) answer conditional GETs from the content
version before any work; those whose response is not streamed (the feeds) are
stored as pages are, with their validators. Streamed downloads are not, and the
complete downloads (``COMPLETE_DOWNLOADS``) are sent from their files instead.

The lookup is a ``process_view`` after the rate limits' own, so a cached page
counts against the limits exactly as a rendered one.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from councils.pagecache import (
    GENERATION_KEY,
    SCHEDULE_KEY,
    code_version,
    current_version,
    version_and,
)

NONCE_PLACEHOLDER = b"{{portal-page-cache-csp-nonce}}"
MAX_BODY_BYTES = 4 * 1024 * 1024
# Never looked up: the health check answers the load balancer from the database.
NEVER_CACHED_URLS = {"healthz"}


def _anonymous_read(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(f"/{settings.ADMIN_PATH}")
    )


def page_key(request) -> str:
    """The code version and the absolute URL, its query parameters in a fixed
    order."""
    query = sorted(
        parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True),
        key=lambda pair: pair[0],
    )
    url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    digest = hashlib.sha256(f"{code_version()} {url}".encode()).hexdigest()
    return f"pagecache:page:{digest}"


def _storable(request, response, html=True) -> bool:
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and (not html or response.get("Content-Type", "").startswith("text/html"))
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not (messages is not None and messages.added_new)
        and len(response.content) <= MAX_BODY_BYTES
    )


def _served(entry: dict, request) -> HttpResponse:
    content = entry["content"]
    if entry["nonce"]:
        content = content.replace(NONCE_PLACEHOLDER, str(request._csp_nonce).encode())
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    patch_vary_headers(response, ["Cookie"])
    return response


def _entry(request, response, version_key: str) -> dict | None:
    content = response.content
    if NONCE_PLACEHOLDER in content:
        return None
    nonce = getattr(request, "_csp_nonce", None)
    used = bool(nonce)
    if used:
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    return {
        "version": version_key,
        "status": response.status_code,
        "headers": list(response.items()),
        "content": content,
        "nonce": used,
    }


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        code_version()  # at start-up, not on the first request

    def __call__(self, request):
        response = self.get_response(request)
        lookup = getattr(request, "_page_cache", None)
        if lookup is None:
            return response
        kind, key, version = lookup
        if kind == "download":
            etag, key = key
            if response.status_code == 200:
                response["ETag"] = etag
                response["Last-Modified"] = http_date(version.last_modified)
            # A feed (not streamed) is stored as a page is, with its validators;
            # streamed downloads are not.
            if key is not None and _storable(request, response, html=False):
                entry = _entry(request, response, version.key)
                if entry is not None:
                    cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
                patch_vary_headers(response, ["Cookie"])
        elif _storable(request, response):
            entry = _entry(request, response, version.key)
            if entry is not None:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
            patch_vary_headers(response, ["Cookie"])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        name = request.resolver_match.view_name
        if name in NEVER_CACHED_URLS or not _anonymous_read(request):
            return None
        if settings.PAGE_CACHE_SECONDS <= 0:
            return None
        if name in settings.DOWNLOAD_URLS:
            # Downloads kept as complete files are sent from those instead.
            return self._conditional(
                request, stored=name not in settings.COMPLETE_DOWNLOADS
            )
        key = page_key(request)
        stored, found = version_and([key])
        try:
            version = current_version(
                stored.get(GENERATION_KEY), stored.get(SCHEDULE_KEY)
            )
        except DatabaseError:
            return None  # the view meets the outage too, and answers 503
        entry = found.get(key)
        if entry is not None and entry["version"] == version.key:
            return _served(entry, request)
        request._page_cache = ("page", key, version)
        return None

    def _conditional(self, request, stored: bool):
        key = page_key(request) if stored else None
        stored, found = version_and([key] if key else [])
        try:
            version = current_version(
                stored.get(GENERATION_KEY), stored.get(SCHEDULE_KEY)
            )
        except DatabaseError:
            return None
        digest = hashlib.sha256(
            f"{version.key} {page_key(request)}".encode()
        ).hexdigest()[:32]
        etag = f'"{digest}"'
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(version.last_modified)
        )
        if not_modified is not None:
            if not_modified.status_code == 304:
                not_modified["ETag"] = etag
                not_modified["Last-Modified"] = http_date(version.last_modified)
            return not_modified
        entry = found.get(key) if key else None
        if entry is not None and entry["version"] == version.key:
            return _served(entry, request)
        request._page_cache = ("download", (etag, key), version)
        return None
