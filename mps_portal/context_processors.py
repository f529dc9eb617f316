from django.conf import settings
from django.urls import NoReverseMatch, reverse

# Service navigation: label and URL name. An entry whose app is not installed is
# left out, so the list never links to a page that does not exist.
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


def _resolvable(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def portal(request):
    path = getattr(request, "path", "")
    items = []
    for label, url_name in NAVIGATION:
        url = _resolvable(url_name)
        if url:
            items.append(NavItem(label, url, path.startswith(url)))
    return {"navigation": items, "feedback_email": settings.FEEDBACK_EMAIL}
