"""Who the client is, and how often it may ask: rate limits in the shared cache.

``client_ip`` is the one rule for a client's address, used here and by django-axes
for login throttling. ``RateLimitMiddleware`` counts requests per client address for
each group of URL names in ``settings.RATE_LIMITS`` in Django's cache (Redis in
production, so the count holds across workers and instances) and answers 429 with
``Retry-After`` once a group's limit for the current window is used up.

A small middleware rather than django-ratelimit: one table in the settings covers
every app's URLs without decorating their views, and the 429 page with
``Retry-After`` is the portal's own GOV.UK page.
"""

import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.template.loader import render_to_string


def client_ip(request) -> str:
    """The client's address, trusting ``TRUSTED_PROXY_COUNT`` proxies in front.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is that many entries from the right; anything
    further left was written by the client and may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def count_hit(name: str, *, limit: int, window: int) -> int:
    """Count one hit on ``name`` in the current window of ``window`` seconds.

    Returns 0 while the count is within ``limit``, else the seconds until the
    window ends (for ``Retry-After``). Used by the middleware per client address,
    and by pages that also limit per something else (an email address).
    """
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:{name}:{window_start}"
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        count = _redis_count(backend, key, window + 1)
    else:
        # add() then incr(): workers of one process share one count.
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        return window_start + window - now
    return 0


def _redis_count(backend: RedisCache, key: str, timeout: int) -> int:
    """SET NX with its expiry, then INCR, in one transaction: one round trip,
    atomic across workers and instances, and stored as the cache API stores an
    integer. Through the cache API it took three (add, then incr's EXISTS and
    INCR) on every rate-limited request, cached pages included."""
    key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(key, write=True)
    pipeline = client.pipeline(transaction=True)
    pipeline.set(key, 0, ex=timeout, nx=True)
    pipeline.incr(key)
    _, count = pipeline.execute()
    return count


def rate_limit_group(view_name: str, method: str) -> tuple[str, dict] | None:
    for name, rule in settings.RATE_LIMITS.items():
        if view_name in rule["urls"] and method in rule.get("methods", (method,)):
            return name, rule
    return None


def too_many_requests(request, retry_after: int) -> HttpResponse:
    response = HttpResponse(
        render_to_string(
            "429.html", {"retry_after_minutes": -(-retry_after // 60)}, request
        ),
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = rate_limit_group(request.resolver_match.view_name, request.method)
        if match is None:
            return None
        group, rule = match
        retry_after = count_hit(
            f"{group}:{client_ip(request)}",
            limit=rule["limit"],
            window=settings.RATE_LIMIT_WINDOW_SECONDS,
        )
        if retry_after:
            return too_many_requests(request, retry_after)
        return None
