"""The RAG summary tables of councils' quality assessments."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from councils.models import Council

from .models import Assessment, RagStatus


@dataclass
class RagSummary:
    """Services by latest RAG status and service type, as in Gateshead's tables."""

    statuses: list = field(default_factory=lambda: list(RagStatus))
    rows: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    services: int = 0
    latest: date | None = None
    includes_demo: bool = False


def rag_summary(*, council: Council) -> RagSummary:
    """Count each service's latest assessment by RAG status and service type.

    A service with more than one service type is counted under each; the totals
    row counts each service once.
    """
    assessments = (
        Assessment.objects.for_council(council)
        .latest_per_service()
        .with_scores()
        .select_related("service")
        .prefetch_related("service__service_types")
    )
    summary = RagSummary()
    by_type: dict[str, Counter] = {}
    overall: Counter = Counter()
    for assessment in assessments:
        overall[assessment.rag] += 1
        summary.services += 1
        summary.includes_demo |= assessment.service.is_demo
        if summary.latest is None or assessment.assessed_on > summary.latest:
            summary.latest = assessment.assessed_on
        types = [t.name for t in assessment.service.service_types.all()]
        if not types and assessment.service.extra_care_type:
            types = ["Extra care housing"]
        for name in types or ["Type not recorded"]:
            by_type.setdefault(name, Counter())[assessment.rag] += 1
    summary.rows = [
        (name, [counts[s] for s in summary.statuses], sum(counts.values()))
        for name, counts in sorted(by_type.items())
    ]
    summary.totals = [overall[s] for s in summary.statuses]
    return summary
