"""Panels that feature apps add to the base app's pages.

The council page and a market (type of care) page bring several apps together,
but ``councils`` never imports a feature app. Instead each feature app registers
what it adds to a page, from its ``AppConfig.ready()``::

    @panels.register("market", order=30, template_name="tenders/includes/rates.html")
    def market_rates(*, type_of_care, councils):
        return {"rates": Rate.objects.for_market(type_of_care, councils)}

and the page renders every registered panel in order with
``{% page_panels "market" type_of_care=type_of_care councils=councils %}``.
A panel whose function returns ``None`` is left out.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

# The pages that take panels, and the keyword arguments their panels are given.
PAGES = {
    "council": ("council",),
    "market": ("type_of_care", "councils"),
}


@dataclass(frozen=True)
class Panel:
    page: str
    order: int
    template_name: str
    context: Callable[..., dict | None]


_registry: dict[str, list[Panel]] = defaultdict(list)


def register(page: str, *, order: int, template_name: str):
    """Add the decorated context function's panel to ``page``."""
    if page not in PAGES:
        raise ValueError(f"No page {page!r} takes panels; pages: {sorted(PAGES)}")

    def decorator(function):
        panels = _registry[page]
        if not any(panel.context is function for panel in panels):
            panels.append(Panel(page, order, template_name, function))
            panels.sort(key=lambda panel: panel.order)
        return function

    return decorator


def panels_for(page: str) -> list[Panel]:
    return list(_registry[page])
