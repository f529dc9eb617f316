"""Public pages for councils and their Market Position Statements."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from .diffs import content_diff
from .filters import ChangeFilter
from .markdown import render_markdown_with_contents
from .models import Council, Heading, Publication, Section


def _live_count(**outer):
    """How many live sections with text there are per council or heading."""
    key = next(iter(outer))
    counted = (
        Section.live.published()
        .filter(**{key: OuterRef(outer[key])})
        .order_by()
        .values(key)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class CouncilListView(ListView):
    """Every council in the region, with how much of its MPS is published."""

    template_name = "councils/council_list.html"
    context_object_name = "councils"

    def get_queryset(self):
        return Council.objects.select_related("region").annotate(
            published_sections=_live_count(council="pk")
        )


class CouncilDetailView(DetailView):
    """A council's MPS as a contents list, with its contacts and provider forums."""

    template_name = "councils/council_detail.html"
    context_object_name = "council"

    def get_queryset(self):
        return Council.objects.select_related("region").prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.live.select_related("heading"),
                to_attr="public_sections",
            ),
            "contacts",
            "provider_forums",
        )


class CouncilPrintView(CouncilDetailView):
    """A council's whole MPS on one page, laid out for printing or saving as PDF."""

    template_name = "councils/council_print.html"


class SectionDetailView(DetailView):
    """One heading of one council's MPS, as readers see it now."""

    template_name = "councils/section_detail.html"
    context_object_name = "section"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Section.live.select_related("council", "heading", "publication"),
            council__slug=self.kwargs["slug"],
            heading__slug=self.kwargs["heading_slug"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body, contents = render_markdown_with_contents(self.object.body)
        context.update(
            body=body,
            contents=contents if len(contents) > 1 else [],
            sibling_sections=Section.live.for_council(
                self.object.council
            ).select_related("heading"),
        )
        return context


class PreviewMixin:
    """A working copy at its public page's layout, for its council's staff only.

    Anyone else, signed in or not, gets a 404, as for a page that does not exist.
    The page is marked as a preview and is never cached or indexed.
    """

    preview_related: tuple[str, ...] = ()
    preview_prefetch: tuple[str, ...] = ()

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.model._default_manager.editable_by(self.request.user)
            .select_related(*self.preview_related)
            .prefetch_related(*self.preview_prefetch),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class SectionPreviewView(PreviewMixin, SectionDetailView):
    """A section's working copy, as it will look when published."""

    model = Section
    preview_related = ("council", "heading")


class CompareIndexView(TemplateView):
    """Choose a heading to compare across councils."""

    template_name = "councils/compare_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headings"] = Heading.objects.annotate(
            published_count=_live_count(heading="pk")
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
                queryset=Section.live.filter(heading=self.object),
                to_attr="compared_sections",
            )
        )
        context["headings"] = Heading.objects.all()
        return context


class ChangeDetailView(DetailView):
    """What one publication changed, word by word, against the one before it."""

    template_name = "councils/change_detail.html"
    context_object_name = "change"

    def get_object(self, queryset=None):
        change = get_object_or_404(
            Publication.objects.due().select_related(
                "council", "version", "previous__version", "content_type"
            ),
            pk=self.kwargs["pk"],
        )
        if change.version is None:
            raise Http404("That version is no longer stored.")
        return change

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        change = self.object
        before = change.previous.version if change.previous else None
        context["differences"] = content_diff(
            change.content_type.model_class(),
            before.field_dict if before else {},
            change.version.field_dict,
        )
        return context


def change_filter(request, council=None) -> ChangeFilter:
    changes = Publication.objects.public().select_related("council")
    if council is not None:
        changes = changes.for_council(council)
    return ChangeFilter(data=request.GET, queryset=changes, request=request)


class ChangeListView(ListView):
    """Major changes to councils' content, newest first, optionally for one council.

    An unknown council in the filter is explained in an error summary, status 400.
    """

    template_name = "councils/change_list.html"
    context_object_name = "changes"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.council = (
            get_object_or_404(Council, slug=kwargs["slug"])
            if "slug" in kwargs
            else None
        )
        self.filterset = change_filter(request, self.council)
        valid = self.filterset.is_valid()
        self.object_list = (
            self.filterset.qs if valid else self.filterset.queryset.none()
        )
        context = self.get_context_data(filter=self.filterset, council=self.council)
        return self.render_to_response(context, status=200 if valid else 400)
