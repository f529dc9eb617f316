"""Which council and region a CQC row belongs to."""

import re

from councils.models import Council, Region

# CQC's "Local authority" names that differ from the council's own name by more than
# the words normalise_council_name() drops. Keys are normalised; values are slugs.
LOCAL_AUTHORITY_ALIASES = {
    "county durham": "county-durham",
    "durham": "county-durham",
    "newcastle upon tyne": "newcastle",
    "newcastle": "newcastle",
    "redcar cleveland": "redcar-and-cleveland",
    "stockton on tees": "stockton-on-tees",
    "stockton": "stockton-on-tees",
}
DROPPED_WORDS = {"council", "borough", "city", "county", "metropolitan", "of", "the"}


def normalise_council_name(name: str) -> str:
    words = re.sub(r"[^a-z ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in DROPPED_WORDS and w != "and")


class Places:
    """The portal's regions and every name its councils go by in CQC's files."""

    def __init__(self):
        councils = list(Council.objects.all())
        by_slug = {c.slug: c for c in councils}
        self.councils = {normalise_council_name(c.name): c for c in councils}
        for alias, slug in LOCAL_AUTHORITY_ALIASES.items():
            if slug in by_slug:
                self.councils[normalise_council_name(alias)] = by_slug[slug]
        self.regions = {r.name.lower() for r in Region.objects.all()}
        # National files name the same few hundred authorities over and over.
        self.by_authority: dict[str, Council | None] = {}

    def covers(self, region: str) -> bool:
        return region.strip().lower() in self.regions

    def council(self, local_authority: str) -> Council | None:
        try:
            return self.by_authority[local_authority]
        except KeyError:
            found = self.councils.get(normalise_council_name(local_authority))
            self.by_authority[local_authority] = found
            return found
