"""Public pages for councils and their Market Position Statements."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from . import finders, market, search
from .diffs import content_diff
from .downloads import FilteredDownloadView
from .filters import (
    ChangeFilter,
    CouncilChoiceFilter,
    IndicatorValueFilter,
    IntentionFilter,
)
from .forms import SearchForm
from .markdown import render_markdown_with_contents
from .models import (
    LOGO_FORMATS,
    CommissioningIntention,
    Contact,
    Council,
    Heading,
    Indicator,
    IndicatorValue,
    ProviderForum,
    Publication,
    Section,
    TypeOfCare,
    validate_logo,
)
from .paging import BeyondDepth, BoundedPaginator


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
        return (
            Council.objects.with_url()
            .annotate(published_sections=_live_count(council="pk"))
            .values("url", "name", "gss_code", "published_sections")
        )


class CouncilDetailView(DetailView):
    """A council's MPS as a contents list, with its contacts and provider forums."""

    template_name = "councils/council_detail.html"
    context_object_name = "council"
    # What the contents list shows of each section: not its text (a twelfth of
    # the page went on reading every section's body). Empty: every field.
    section_fields = (
        "council",
        "heading__name",
        "heading__slug",
        "status",
        "review_by",
        "content_updated_at",
    )

    def get_queryset(self):
        # Each section's address is made from its council (the page's, given
        # to it by the prefetch) and heading, not joined in the query
        # (``with_url``): one council's dozen addresses cost less to join in
        # Python than the query's concatenation and join cost to compile.
        sections = Section.live.select_related("heading")
        if self.section_fields:
            sections = sections.only(*self.section_fields)
        return Council.objects.select_related("region").prefetch_related(
            Prefetch("sections", queryset=sections, to_attr="public_sections"),
            # One council's rows, in the order their Meta ordering gives within a
            # council; that ordering starts with the council's name, which would
            # join the council table to sort rows of one council.
            Prefetch("contacts", queryset=Contact.objects.order_by("position", "role")),
            Prefetch(
                "provider_forums",
                queryset=ProviderForum.objects.order_by("position", "name"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["glance"] = market.glance_rows(
            market.in_topic_order(
                IndicatorValue.objects.filter(indicator__at_a_glance=True)
                .for_areas([self.object])
                .latest()
                .in_comparison_order()
                # The table names no figure's area (its columns do): each
                # figure's council or region is not read with it.
                .select_related(None)
                .select_related("indicator")
            )
        )
        # Only what the table shows: no intention's detail or sections. Read
        # through the council's own relation, so each is given the page's council
        # rather than reading it again.
        context["intentions"] = (
            self.object.intentions(manager="live")
            .published()
            .select_related("type_of_care")
            .only(
                "live_of_id",
                "direction",
                "summary",
                "where",
                "council",
                "type_of_care__name",
                "type_of_care__slug",
            )
            .order_by("type_of_care__position", "position")
        )
        return context


class CouncilPrintView(CouncilDetailView):
    """A council's whole MPS on one page, laid out for printing or saving as PDF."""

    template_name = "councils/council_print.html"
    section_fields = ()


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
            # Only what the list of headings shows, not every section's text.
            sibling_sections=Section.live.for_council(self.object.council)
            .select_related("heading")
            .with_url()
            .only("heading__name"),
        )
        return context


class PreviewMixin:
    """A working copy at its public page's layout, for its council's staff only.

    Anyone else, signed in or not, gets a 404, as for a page that does not exist.
    Staff get in on the admin's own terms (``admin.site.has_permission``): where
    the admin asks for a second factor (portal administrators, and anyone who has
    set one up), a session signed in with a password only is sent to the admin's
    sign-in to enter the code first, before anything is looked up. The page is
    marked as a preview and is never cached or indexed.
    """

    preview_related: tuple[str, ...] = ()
    preview_prefetch: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_active and user.is_staff and not admin.site.has_permission(request):
            return redirect_to_login(
                request.get_full_path(), reverse("admin:login"), REDIRECT_FIELD_NAME
            )
        return super().dispatch(request, *args, **kwargs)

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


class IntentionPreviewView(PreviewMixin, DetailView):
    """A commissioning intention's working copy, as its market page shows it."""

    model = CommissioningIntention
    template_name = "councils/intention_preview.html"
    context_object_name = "intention"
    preview_related = ("council", "type_of_care")
    preview_prefetch = ("sections__heading", "sections__council")


class SectionPreviewView(PreviewMixin, SectionDetailView):
    """A section's working copy, as it will look when published."""

    model = Section
    preview_related = ("council", "heading")


# Councils the compare page shows side by side at most.
COMPARE_MAX = 12


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
    """One heading across the councils chosen, side by side.

    With no council chosen it shows them all while there are few enough to read
    side by side (``COMPARE_MAX``); beyond that, a list of the councils that have
    published under the heading and a chooser, so the page never carries every
    council's full text.
    """

    template_name = "councils/compare.html"
    context_object_name = "heading"
    slug_url_kwarg = "heading_slug"
    queryset = Heading.objects.all()

    def get(self, request, *args, **kwargs):
        self.council_filter = CouncilChoiceFilter(
            data=request.GET, queryset=Council.objects.all()
        )
        chosen = []
        if self.council_filter.is_valid():
            chosen = self.council_filter.form.cleaned_data.get("council") or []
            if len(chosen) > COMPARE_MAX:
                self.council_filter.form.add_error(
                    "council",
                    f"Choose up to {COMPARE_MAX} councils to compare side by side",
                )
        self.chosen = list(chosen)
        response = super().get(request, *args, **kwargs)
        if self.council_filter.errors:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = Section.live.filter(heading=self.object)
        councils = Council.objects.with_url().order_by("name")
        side_by_side = not self.council_filter.errors and (
            bool(self.chosen) or councils.count() <= COMPARE_MAX
        )
        if side_by_side and self.chosen:
            councils = councils.filter(pk__in=[c.pk for c in self.chosen])
        if not side_by_side:
            # The councils that have published the heading, by name: only what the
            # list shows, never every council's text.
            context["published"] = (
                sections.published()
                .with_url()
                .annotate(council_name=F("council__name"))
                .values("url", "council_name", "content_updated_at")
            )
        context.update(
            councils=councils.prefetch_related(
                Prefetch("sections", queryset=sections, to_attr="compared_sections")
            ),
            side_by_side=side_by_side,
            headings=Heading.objects.all(),
            filter=self.council_filter,
            councils_chosen=bool(self.chosen),
            compare_max=COMPARE_MAX,
        )
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
    changes = Publication.objects.public()
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
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(
            filter=self.filterset,
            council=self.council,
            feed_query=f"?{query.urlencode()}" if valid and query else "",
        )
        return self.render_to_response(context, status=200 if valid else 400)


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


class MarketListView(TemplateView):
    """Every type of care, with how many councils say what they want of it."""

    template_name = "councils/market_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Q(intentions__in=CommissioningIntention.live.published())
        context["types_of_care"] = TypeOfCare.objects.annotate(
            councils_with_intentions=Count(
                "intentions__council", filter=published, distinct=True
            )
        )
        return context


class CouncilChoiceMixin:
    """Reads ``?council=`` into the councils a page shows: those chosen (up to
    ``COMPARE_MAX``), or every council while there are no more than that.

    With more councils than that and none chosen, ``councils`` is empty and
    ``choose_councils`` is set: the page summarises and asks for a choice rather
    than carrying every council's content. Unknown councils, or too many, are
    explained in an error summary with status 400.
    """

    def get(self, request, *args, **kwargs):
        self.council_filter = CouncilChoiceFilter(
            data=request.GET, queryset=Council.objects.all()
        )
        self.filter_valid = self.council_filter.is_valid()
        self.chosen = []
        if self.filter_valid:
            self.chosen = self.council_filter.form.cleaned_data.get("council") or []
            if len(self.chosen) > COMPARE_MAX:
                self.council_filter.form.add_error(
                    "council", f"Choose up to {COMPARE_MAX} councils to compare"
                )
                self.filter_valid = False
        self.councils = []
        self.choose_councils = False
        if self.filter_valid:
            if not self.chosen and self.council_filter.council_count() > COMPARE_MAX:
                # Every council, too many to show: the picker's rows say so.
                self.choose_councils = True
            else:
                # One query either way: every council while they fit, else none.
                councils = self.council_filter.chosen_councils(limit=COMPARE_MAX + 1)
                self.choose_councils = len(councils) > COMPARE_MAX
                self.councils = [] if self.choose_councils else councils
        response = super().get(request, *args, **kwargs)
        if not self.filter_valid:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.council_filter,
            councils=self.councils,
            councils_chosen=bool(self.chosen),
            choose_councils=self.choose_councils,
            compare_max=COMPARE_MAX,
            council_query="".join(f"&council={c.slug}" for c in self.chosen),
        )
        return context


class MarketDetailView(CouncilChoiceMixin, DetailView):
    """One type of care across councils: intentions, figures, rates, frameworks,
    tenders and services, with the parts from other apps added as panels."""

    template_name = "councils/market_detail.html"
    context_object_name = "type_of_care"
    queryset = TypeOfCare.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.filter_valid:
            return context
        councils = self.councils
        figures = IndicatorValue.objects.about_market(self.object).latest()
        if self.choose_councils:
            # Too many councils to show each one's content: the regions' and
            # England's figures, and which councils have published intentions.
            context["figures"] = market.in_topic_order(
                figures.filter(council=None).in_comparison_order()
            )
            context["publishing_councils"] = (
                Council.objects.filter(
                    intentions__in=CommissioningIntention.live.published().filter(
                        type_of_care=self.object
                    )
                )
                .distinct()
                .values("name", "slug")
            )
            return context
        context["intentions"] = (
            CommissioningIntention.live.published()
            .filter(type_of_care=self.object, council__in=councils)
            .select_related("council")
            .prefetch_related("sections__heading", "sections__council")
            .order_by("council__name", "position")
        )
        context["figures"] = market.in_topic_order(
            figures.for_areas(councils).in_comparison_order()
        )
        return context


class IndicatorListView(TemplateView):
    """Every market indicator, by topic."""

    template_name = "councils/indicator_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page groups neighbours by topic.
        context["indicators"] = (
            Indicator.objects.with_area_counts()
            .in_topic_order()
            .prefetch_related("types_of_care")
        )
        return context


INDICATOR_SORTS = {
    "area": ("Area", ["area_rank", "council__name", "region__name"]),
    "highest": (
        "Highest first",
        ["area_rank", "-value", "council__name", "region__name"],
    ),
    "lowest": ("Lowest first", ["area_rank", "value", "council__name", "region__name"]),
}


class IndicatorDetailView(CouncilChoiceMixin, DetailView):
    """One indicator across councils, with the region and England, and over time."""

    template_name = "councils/indicator_detail.html"
    context_object_name = "indicator"
    queryset = Indicator.objects.prefetch_related("types_of_care")

    def get(self, request, *args, **kwargs):
        self.sort = request.GET.get("sort") or "area"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sorts"] = [(key, label) for key, (label, _) in INDICATOR_SORTS.items()]
        if self.sort not in INDICATOR_SORTS:
            context["sort_error"] = (
                f"“{self.sort}” is not a way to sort: choose area, highest or lowest"
            )
            return context
        context["sort"] = self.sort
        if not self.filter_valid:
            return context
        figures = IndicatorValue.objects.filter(indicator=self.object)
        if self.choose_councils:
            # Too many councils to compare them all: the regions and England, and
            # how many councils have a figure.
            context["councils_with_figures"] = (
                figures.exclude(council=None).values("council").distinct().count()
            )
            figures = figures.filter(council=None)
        else:
            figures = figures.for_areas(self.councils)
        latest = list(
            figures.latest()
            .actuals()
            .in_comparison_order()
            .order_by(*INDICATOR_SORTS[self.sort][1])
        )
        series = list(figures.in_comparison_order())
        context.update(
            latest=latest,
            series=series,
            summary=market.comparison_summary(self.object, latest),
            comparison_chart=market.comparison_chart(self.object, latest),
            time_chart=market.time_chart(self.object, series),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        if "sort_error" in context:
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)


INDICATOR_COLUMNS = [
    "indicator",
    "indicator_slug",
    "unit",
    "area_code",
    "area",
    "period",
    "period_start",
    "period_end",
    "projection_base_year",
    "value",
    "source",
    "source_url",
    "as_at",
    "out_of_date",
    "notes",
]


class IndicatorValueDownloadView(FilteredDownloadView):
    """Indicator figures with their source and as-at date, filtered as asked."""

    filterset_class = IndicatorValueFilter
    columns = INDICATOR_COLUMNS
    filename = "indicator-figures"

    def queryset(self):
        return IndicatorValue.objects.select_related("indicator", "council", "region")

    def record(self, value: IndicatorValue) -> dict:
        return {
            "indicator": value.indicator.name,
            "indicator_slug": value.indicator.slug,
            "unit": value.indicator.get_unit_display(),
            "area_code": value.area_code,
            "area": value.area_name,
            "period": value.period,
            "period_start": value.period_start,
            "period_end": value.period_end,
            "projection_base_year": value.base_year,
            "value": float(value.value),
            "source": value.source_name,
            "source_url": value.source_url,
            "as_at": value.as_at,
            "out_of_date": value.out_of_date,
            "notes": value.notes,
        }


INTENTION_COLUMNS = [
    "council",
    "council_gss_code",
    "type_of_care",
    "direction",
    "summary",
    "where",
    "detail",
    "how",
    "period",
    "sections",
    "updated_at",
    "url",
]


class IntentionDownloadView(FilteredDownloadView):
    """Published commissioning intentions, filtered by council and type of care."""

    filterset_class = IntentionFilter
    columns = INTENTION_COLUMNS
    filename = "commissioning-intentions"

    def queryset(self):
        return (
            CommissioningIntention.live.published()
            .select_related("council", "type_of_care")
            .prefetch_related("sections__heading")
        )

    def record(self, intention: CommissioningIntention) -> dict:
        return {
            "council": intention.council.name,
            "council_gss_code": intention.council.gss_code,
            "type_of_care": intention.type_of_care.name,
            "direction": intention.get_direction_display(),
            "summary": intention.summary,
            "where": intention.where,
            "detail": intention.detail,
            "how": intention.how,
            "period": intention.period,
            "sections": [s.heading.name for s in intention.sections.all()],
            "updated_at": intention.updated_at,
            "url": self.request.build_absolute_uri(intention.get_absolute_url()),
        }


class SearchView(TemplateView):
    """Site search: every public page, ranked, with matching words highlighted.

    Kinds and councils are counted over the matches (each facet ignoring its own
    choice); a query that cannot be searched or a page that does not exist is
    explained in an error summary with status 400.
    """

    template_name = "councils/search.html"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        context = {"form": form, "page_error": None, "page_obj": None}
        status = 200
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["q"] is not None:
            context.update(self.results(form))
            if context["page_error"]:
                status = 400
        context["applied"] = finders.applied_filters(form, request.GET)
        keywords = QueryDict(mutable=True)
        keywords.setlist("q", request.GET.getlist("q")[:1])
        context["clear_url"] = f"{request.path}?{keywords.urlencode()}"
        return self.render_to_response(self.get_context_data(**context), status=status)

    def results(self, form) -> dict:
        query = form.cleaned_data["q"]
        chosen_kinds = form.cleaned_data["kind"]
        found = search.find(
            query, kinds=chosen_kinds, councils=form.cleaned_data["council"]
        )
        form.fields["kind"].choices = [
            (kind.key, f"{kind.label} ({found.by_kind.get(kind.key, 0):,})")
            for kind in search.kinds()
        ]
        form.council_counts = found.by_council
        results = search.FoundResults(found, query)
        paginator = BoundedPaginator(results, self.paginate_by)
        number = self.request.GET.get("page") or 1
        try:
            page = paginator.page(number)
        except PageNotAnInteger:
            return {"page_error": f"“{number}”"[:40] + " is not a page number"}
        except BeyondDepth as error:
            return {"page_error": str(error)}
        except EmptyPage:
            return {
                "page_error": f"There is no page {str(number)[:20]}: the results fill "
                f"{paginator.num_pages} page{pluralize(paginator.num_pages)}"
            }
        return {
            "page_obj": page,
            "paginator": paginator,
            "documents": page.object_list,
            "searched": True,
            "showing": finders.showing(page),
            "count_text": finders.count_text(paginator.count, "result", "results"),
            "page_error": None,
        }
