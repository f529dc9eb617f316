from functools import lru_cache

from django.conf import settings
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# Service navigation: label and URL name.
NAVIGATION = [
    ("Councils", "councils:council-list"),
    ("Markets", "councils:market-list"),
    ("Opportunities", "tenders:tender-list"),
    ("Quality", "quality:overview"),
    ("Services", "providers:service-list"),
]


class NavItem:
    def __init__(self, label: str, url: str, active: bool):
        self.label, self.url, self.active = label, url, active


@lru_cache(maxsize=16)
def _navigation_urls(resolver, script_prefix: str) -> tuple[tuple[str, str], ...]:
    """Each navigation label with its address, reversed once for each URL
    resolver and script prefix (what ``reverse()`` depends on), not five times a
    request. ``clear_url_caches()`` (a changed ``ROOT_URLCONF``) makes a new
    resolver, so a changed URLconf is never answered from here."""
    return tuple(
        (label, reverse(url_name, resolver.urlconf_name))
        for label, url_name in NAVIGATION
    )


def portal(request):
    path = getattr(request, "path", "")
    items = [
        NavItem(label, url, path.startswith(url))
        for label, url in _navigation_urls(
            get_resolver(get_urlconf()), get_script_prefix()
        )
    ]
    return {"navigation": items, "feedback_email": settings.FEEDBACK_EMAIL}
