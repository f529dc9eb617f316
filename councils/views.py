"""Public pages for councils and their Market Position Statements."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from .models import LOGO_FORMATS, Council, Heading, Section, validate_logo


class CouncilListView(ListView):
    """Every council in the region, with how much of its MPS is published."""

    template_name = "councils/council_list.html"
    context_object_name = "councils"

    def get_queryset(self):
        return Council.objects.select_related("region").annotate(
            published_sections=Count(
                "sections", filter=Q(sections__status=Section.Status.PUBLISHED)
            )
        )


class CouncilDetailView(DetailView):
    """A council's MPS as a contents list, with its contacts and provider forums."""

    template_name = "councils/council_detail.html"
    context_object_name = "council"

    def get_queryset(self):
        return Council.objects.select_related("region").prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.public().select_related("heading"),
                to_attr="public_sections",
            ),
            "contacts",
            "provider_forums",
        )


class CouncilPrintView(CouncilDetailView):
    """A council's whole MPS on one page, laid out for printing or saving as PDF."""

    template_name = "councils/council_print.html"


class SectionDetailView(DetailView):
    """One heading of one council's MPS."""

    template_name = "councils/section_detail.html"
    context_object_name = "section"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Section.objects.public().select_related("council", "heading"),
            council__slug=self.kwargs["slug"],
            heading__slug=self.kwargs["heading_slug"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sibling_sections"] = (
            Section.objects.public()
            .for_council(self.object.council)
            .select_related("heading")
        )
        return context


class CompareIndexView(TemplateView):
    """Choose a heading to compare across councils."""

    template_name = "councils/compare_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headings"] = Heading.objects.annotate(
            published_count=Count(
                "sections", filter=Q(sections__status=Section.Status.PUBLISHED)
            )
        )
        return context


class CompareView(DetailView):
    """One heading across every council, side by side."""

    template_name = "councils/compare.html"
    context_object_name = "heading"
    slug_url_kwarg = "heading_slug"
    queryset = Heading.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["councils"] = Council.objects.prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.public().filter(heading=self.object),
                to_attr="compared_sections",
            )
        )
        context["headings"] = Heading.objects.all()
        return context


@require_safe
def council_logo(request, slug):
    """A council's logo, served only if it is still a PNG or JPEG image.

    Its type comes from the image's content, never from its name, and the
    headers stop a browser running it as anything else.
    """
    from PIL import Image

    council = get_object_or_404(Council, slug=slug)
    if not council.logo:
        raise Http404("This council has no logo.")
    logo = council.logo.open("rb")
    try:
        validate_logo(logo)
        with Image.open(logo) as image:
            content_type = LOGO_FORMATS[image.format]
        logo.seek(0)
    except (ValidationError, OSError):
        logo.close()
        raise Http404("This council has no logo.") from None
    response = FileResponse(logo, content_type=content_type)
    response["Content-Disposition"] = 'inline; filename="logo"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
