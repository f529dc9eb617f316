"""What quality figures add to the council page."""

from councils import panels

from .templatetags.quality import council_quality

panels.register(
    "council", order=30, template_name="quality/includes/council_quality.html"
)(council_quality)
