"""Cache-Control on every response that has not chosen its own."""

from django.utils.cache import patch_cache_control


class DefaultCacheControlMiddleware:
    """Pages default to ``private, no-cache``: each carries its own CSP nonce.

    A shared cache replaying one page to many visitors would replay its nonce too,
    and staff pages must never be stored. Responses that set Cache-Control
    themselves (the admin's ``never_cache``, static files, logos, error pages)
    keep theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
