from django.conf import settings

from councils.addresses import address

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


def portal(request):
    path = getattr(request, "path", "")
    # Each address reversed once per URL resolver and script prefix
    # (``councils.addresses``), not five times a request.
    items = []
    for label, url_name in NAVIGATION:
        url = address(url_name)
        items.append(NavItem(label, url, path.startswith(url)))
    return {"navigation": items, "feedback_email": settings.FEEDBACK_EMAIL}
