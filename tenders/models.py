"""Tender opportunities: what councils plan to buy, and when."""

import re

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from councils import clock
from councils.addresses import address
from councils.models import (
    Council,
    CouncilOwnedQuerySet,
    LiveManager,
    NaturalKeyManager,
    Publishable,
    PublishableQuerySet,
    TypeOfCare,
    VocabularyAlias,
    WorkingCopyManager,
)

from .dates import LONGEST_WINDOW, parse_date_window


class Vocabulary(models.Model):
    """A shared list of terms, so every council's tenders can be filtered alike."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ClientGroup(Vocabulary):
    pass


class ClientGroupAlias(VocabularyAlias):
    client_group = models.ForeignKey(
        ClientGroup,
        on_delete=models.CASCADE,
        related_name="aliases",
        help_text="The client group this word stands for.",
    )

    class Meta(VocabularyAlias.Meta):
        verbose_name = "client group alias"
        verbose_name_plural = "client group aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="client_group_alias_unique"
            )
        ]


class CpvCodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class CpvCode(models.Model):
    """A Common Procurement Vocabulary (CPV 2008) code, as used on official notices."""

    code = models.CharField(
        "CPV code",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", "A CPV code is eight digits.")],
        help_text="Eight digits without the check digit, for example 85311100.",
    )
    description = models.CharField(max_length=300)

    objects = CpvCodeManager()

    class Meta:
        ordering = ["code"]
        verbose_name = "CPV code"

    def __str__(self):
        return f"{self.code} {self.description}"

    def natural_key(self):
        return (self.code,)


MINOR_WORDS = {"and", "of", "on", "upon", "the"}


def generated_reference_prefix(council) -> str:
    """The prefix of references the portal makes up, from the council's initials.

    "Durham County Council" gives "DCC-", "Redcar and Cleveland Borough Council"
    gives "RCBC-": short, and how councils abbreviate themselves.
    """
    words = re.split(r"[\s-]+", council.name)
    return (
        "".join(w[0] for w in words if w and w.lower() not in MINOR_WORDS).upper() + "-"
    )


# What the visible-tender condition reads, carried by the live-copy indexes.
LIVE_COLUMNS = [
    "live_of",
    "publish_at",
    "replaced_at",
    "published_at",
    "status",
    "council",
]


def soonest_conditions(window: str, today) -> list[models.Q]:
    """The parts of the "soonest" order, in order:

    1. dated windows still to come: none began more than ``LONGEST_WINDOW``
       before today (no published date stands for more than a year), so the
       index range starts there, not at the first window ever published;
    2. windows whose dates are not known yet (start and end are set together);
    3. windows that are over, which all began before today.
    """
    start, end = f"{window}_start", f"{window}_end"
    return [
        models.Q(**{f"{start}__gte": today - LONGEST_WINDOW, f"{end}__gte": today}),
        models.Q(**{f"{start}__isnull": True}),
        models.Q(**{f"{start}__lt": today, f"{end}__lt": today}),
    ]


class TenderQuerySet(PublishableQuerySet):
    def published(self, now=None):
        """Tenders whose publish time has come, worked out in the query, so a
        scheduled tender appears at its time without any job running.

        Readers see ``Tender.live`` (live copies that are due); this also keeps
        out a live copy whose first publication is still to come.
        """
        return self.filter(published_at__lte=now or clock.now())

    def visible(self):
        """Tenders in the finder, feeds and downloads: published, not withdrawn."""
        return self.published().exclude(status=Tender.Status.WITHDRAWN)

    def next_reference_number(self, council) -> int:
        """The number after the highest the portal has given this council's tenders.

        The admin and the import both number from here, so they agree.
        """
        prefix = generated_reference_prefix(council)
        taken = self.filter(council=council, reference__startswith=prefix)
        numbers = [
            int(ref[len(prefix) :])
            for ref in taken.values_list("reference", flat=True)
            if ref[len(prefix) :].isdigit()
        ]
        return max(numbers, default=0) + 1

    def next_reference(self, council) -> str:
        """A reference for a council whose table has none: its initials and a number."""
        number = self.next_reference_number(council)
        return f"{generated_reference_prefix(council)}{number:04d}"

    def open_to_bid(self):
        return self.filter(status=Tender.Status.OPEN)

    def in_pipeline(self):
        """Tenders still ahead of award: planned, open or being evaluated."""
        return self.filter(
            status__in=[
                Tender.Status.PLANNED,
                Tender.Status.OPEN,
                Tender.Status.EVALUATION,
            ]
        )

    def soonest(self, window: str = "procurement", today=None):
        """Soonest first by a date window (procurement or commencement), counting
        from today: windows that are over go after those still to come.

        One ordered query, for lists read whole (downloads, feeds). A page of the
        finder, and a panel's first rows, read ``SoonestResults`` instead, which the
        indexes serve.
        """
        today = today or clock.today()
        over = models.Case(
            models.When(**{f"{window}_end__lt": today}, then=models.Value(1)),
            default=models.Value(0),
        )
        return self.order_by(
            over, models.F(f"{window}_start").asc(nulls_last=True), "title", "pk"
        )

    def by_start(self, window: str = "procurement"):
        """Earliest window first (unknown dates last), then by title: the order
        of the ``tender_<window>_order_idx`` indexes."""
        return self.order_by(
            models.F(f"{window}_start").asc(nulls_last=True), "title", "pk"
        )

    def window_to_come(self, window: str = "procurement", today=None):
        """Tenders whose window has not ended (or whose dates are not known)."""
        today = today or clock.today()
        return self.filter(
            models.Q(**{f"{window}_end__gte": today})
            | models.Q(**{f"{window}_end__isnull": True})
        )

    def window_over(self, window: str = "procurement", today=None):
        """Tenders whose window ended before today."""
        return self.filter(**{f"{window}_end__lt": today or clock.today()})

    def upcoming(self, today=None):
        """Planned or open tenders whose procurement has not finished, soonest first."""
        today = today or clock.today()
        return (
            self.published()
            .filter(status__in=[Tender.Status.PLANNED, Tender.Status.OPEN])
            .window_to_come(today=today)
            .by_start()
        )


@reversion.register()
class Tender(Publishable):
    """A tender opportunity, edited as a working copy; readers see ``Tender.live``
    (see Publishable). A withdrawn tender keeps its page, with a notice."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open for bids"
        EVALUATION = "evaluation", "Evaluation"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # OCDS 1.1 tender.status codelist.
    OCDS_STATUS = {
        Status.PLANNED: "planned",
        Status.OPEN: "active",
        Status.EVALUATION: "active",
        Status.AWARDED: "complete",
        Status.CANCELLED: "cancelled",
        Status.WITHDRAWN: "withdrawn",
    }

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="tenders"
    )
    reference = models.CharField(
        max_length=60,
        blank=True,
        help_text=(
            "The council's own reference. Left blank, one is made from the council "
            "and a number."
        ),
    )
    title = models.CharField(
        "contract description or title",
        max_length=300,
    )
    description = models.TextField(
        blank=True, help_text="What the council wants to buy, in plain words."
    )
    service_area = models.CharField(
        max_length=200,
        blank=True,
        help_text='As the council words it, e.g. "Commissioning - Adult Social Care".',
    )
    types_of_care = models.ManyToManyField(
        TypeOfCare, blank=True, related_name="tenders", verbose_name="types of care"
    )
    client_groups = models.ManyToManyField(
        ClientGroup, blank=True, related_name="tenders"
    )
    cpv_codes = models.ManyToManyField(
        CpvCode, blank=True, related_name="tenders", verbose_name="CPV codes"
    )
    procurement_activity = models.CharField(
        max_length=60,
        blank=True,
        help_text=(
            'When the procurement happens, as published: "Spring 2024", "Q3 2024", '
            '"April 2025", "2024/25" or "TBC".'
        ),
    )
    procurement_start = models.DateField(null=True, blank=True, editable=False)
    procurement_end = models.DateField(null=True, blank=True, editable=False)
    commencement = models.CharField(
        "new contract commencement",
        max_length=60,
        blank=True,
        help_text='When the new contract starts, as published: "April 2025" or a date.',
    )
    commencement_start = models.DateField(null=True, blank=True, editable=False)
    commencement_end = models.DateField(null=True, blank=True, editable=False)
    contract_end = models.DateField(null=True, blank=True)
    value_min = models.DecimalField(
        "estimated value from (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "An amount cannot be below £0.")],
    )
    value_max = models.DecimalField(
        "estimated value to (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "An amount cannot be below £0.")],
    )
    value_text = models.CharField(
        "estimated value as published",
        max_length=100,
        blank=True,
        help_text='The value as the council wrote it, such as "c. £5m p.a." or "TBC"; '
        "shown instead of the amounts when given.",
    )
    status = models.CharField(
        max_length=20, choices=Status, default=Status.PLANNED, db_index=True
    )
    notes = models.TextField(
        "caveats and notes",
        blank=True,
        help_text='For example "subject to outcome of ongoing strategic review".',
    )
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    notice_url = models.URLField(
        "official notice",
        blank=True,
        help_text="Link to the notice on Contracts Finder, Find a Tender or the "
        "council's e-tendering portal.",
    )
    ocid = models.CharField(
        "OCDS ocid",
        max_length=100,
        blank=True,
        help_text="The Open Contracting ID of the official notice, when known.",
    )
    is_demo = models.BooleanField(
        "demo data",
        default=False,
        help_text="Illustrative row made up for the demo, not a council's own.",
    )
    published_at = models.DateTimeField(
        "publish at",
        default=timezone.now,
        db_index=True,
        help_text="Left empty, now. A future time schedules the tender: it appears "
        "on the portal at that time by itself.",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = WorkingCopyManager.from_queryset(TenderQuerySet)()
    live = LiveManager.from_queryset(TenderQuerySet)()

    council_path = "council"
    commissioner_extra_permissions = ["import", "export"]
    # Compared in the admin's history (see councils.publishing_admin).
    content_fields = (
        "title",
        "status",
        "description",
        "service_area",
        "types_of_care",
        "client_groups",
        "procurement_activity",
        "commencement",
        "contract_end",
        "value_min",
        "value_max",
        "notes",
        "contact_name",
        "contact_email",
        "notice_url",
        "cpv_codes",
        "value_text",
        "reference",
        "ocid",
    )

    class Meta:
        ordering = ["procurement_start", "title"]
        permissions = [
            ("import_tender", "Can import tender tables"),
            ("export_tender", "Can export tender tables"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"],
                condition=models.Q(live_of=None),
                name="tender_reference_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(value_min__isnull=True)
                | models.Q(value_max__isnull=True)
                | models.Q(value_min__lte=models.F("value_max")),
                name="tender_value_range_ordered",
            ),
        ]
        indexes = [
            # The finder's date filters match windows that overlap the range asked for.
            models.Index(fields=["procurement_end"], name="tender_procurement_end_idx"),
            models.Index(
                fields=["commencement_end"], name="tender_commencement_end_idx"
            ),
            models.Index(fields=["-published_at"], name="tender_newest_idx"),
            # The content version's next scheduled change (councils.pagecache),
            # the soonest publish_at still to come, asked after every write.
            models.Index(fields=["publish_at"], name="tender_scheduled_idx"),
            # The finder's "soonest" sorts read each part (windows to come, then
            # those over) in this order, so a page is an index range, not a sort.
            models.Index(
                fields=["procurement_start", "title", "id"],
                name="tender_procurement_order_idx",
            ),
            models.Index(
                fields=["commencement_start", "title", "id"],
                name="tender_commencement_order_idx",
            ),
            models.Index(fields=["title", "id"], name="tender_title_order_idx"),
            models.Index(
                fields=["status", "procurement_start"], name="tender_status_idx"
            ),
            # Readers' rows are live copies, half the table. These carry every
            # column the visible-tender condition and the finder's orders read
            # (as trailing key columns, which SQLite can use too, rather than
            # PostgreSQL's INCLUDE), so a page, the home page's next tenders and
            # the facets are read from the index alone (index-only scans)
            # instead of fetching each row from the table to test it.
            models.Index(
                fields=[
                    "procurement_start",
                    "title",
                    "id",
                    "procurement_end",
                    *LIVE_COLUMNS,
                ],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_procurement_idx",
            ),
            models.Index(
                fields=[
                    "commencement_start",
                    "title",
                    "id",
                    "commencement_end",
                    *LIVE_COLUMNS,
                ],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_commencement_idx",
            ),
            # The same order for one council: its own range of the index (the
            # finder by council, the council page's pipeline), not every
            # council's rows read to find its own.
            models.Index(
                fields=[
                    "council",
                    "procurement_start",
                    "title",
                    "id",
                    "procurement_end",
                    *(column for column in LIVE_COLUMNS if column != "council"),
                ],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_council_idx",
            ),
            models.Index(
                fields=[
                    "council",
                    "status",
                    "id",
                    "publish_at",
                    "replaced_at",
                    "published_at",
                    "live_of",
                ],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_facet_idx",
            ),
            # A working copy's live copies, and each one's next later copy
            # (PublishableQuerySet.set_replaced_at), are found through this.
            models.Index(
                fields=["live_of", "publish_at"],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_copy_idx",
            ),
            # A tender's page finds its live copies by council and reference.
            models.Index(
                fields=["council", "reference"],
                condition=models.Q(live_of__isnull=False),
                name="tender_live_reference_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_date_windows()
        if not self.reference:
            self.reference = Tender.objects.next_reference(self.council)
        if self.first_published_at is not None:
            # Readers' "published" date: when the tender first went live.
            self.published_at = self.first_published_at
        super().save(*args, **kwargs)
        if self.live_of_id is not None and self.publish_at is not None:
            # A live copy was last changed, for readers, when it went live, never
            # before it was published (the feed's and OCDS's "updated").
            Tender._base_manager.filter(pk=self.pk).update(updated_at=self.publish_at)
            self.updated_at = self.publish_at

    def get_absolute_url(self):
        return address(
            "tenders:tender-detail",
            council_slug=self.council.slug,
            reference=self.reference,
        )

    def get_preview_url(self):
        return reverse(
            "tenders:tender-preview", kwargs={"pk": self.live_of_id or self.pk}
        )

    @property
    def has_been_public(self) -> bool:
        return self.has_been_published

    @property
    def ocds_status(self) -> str:
        return self.OCDS_STATUS[self.status]

    @property
    def planned_date_passed(self) -> bool:
        """Still "planned", though the procurement window it was planned for is over."""
        return (
            self.status == self.Status.PLANNED
            and self.procurement_end is not None
            and self.procurement_end < clock.today()
        )

    def clean(self):
        errors = {}
        for field in ("procurement_activity", "commencement"):
            try:
                parse_date_window(getattr(self, field))
            except ValueError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)

    def derive_date_windows(self) -> None:
        """Set the stored date windows from the dates as published."""
        for field, start, end in (
            ("procurement_activity", "procurement_start", "procurement_end"),
            ("commencement", "commencement_start", "commencement_end"),
        ):
            window = parse_date_window(getattr(self, field))
            setattr(self, start, window.start if window else None)
            setattr(self, end, window.end if window else None)


class TenderPipeline(models.Model):
    """A council's tender pipeline as a whole: when it was refreshed and its caveat."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="tender_pipeline"
    )
    last_updated = models.DateField(
        help_text="When the council last reviewed its whole list of planned tenders. "
        "An import of the whole pipeline sets it to the day it is confirmed."
    )
    caveat = models.TextField(
        "standing caveat",
        blank=True,
        help_text=(
            'Shown above the list, e.g. "the council reserves the right not to '
            'tender for such services or change the tender start date if required".'
        ),
    )
    footnote = models.TextField(
        blank=True, help_text="Shown below the list, e.g. what an asterisk means."
    )
    enquiries = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who to contact with questions about planned procurements.",
    )

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"

    class Meta:
        verbose_name = "tender pipeline"

    def __str__(self):
        return f"{self.council} tender pipeline"

    def get_absolute_url(self):
        return self.council.get_absolute_url()


class ImportRecord(models.Model):
    """One attempt to import a tender table: who, when, which file, and what it did."""

    class Outcome(models.TextChoices):
        PREVIEWED = "previewed", "Previewed: nothing written yet"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused: nothing written"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="tender_imports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tender_imports",
        help_text="Empty when the import ran from the command line.",
    )
    created_at = models.DateTimeField("imported at", default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    encoding = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome)
    rows = models.PositiveIntegerField(default=0, help_text="Data rows in the file.")
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(
        default=0,
        help_text="Tenders withdrawn because a whole-pipeline table left them out.",
    )
    errors = models.PositiveIntegerField(default=0)
    error_summary = models.TextField(
        blank=True, help_text="The first problems found, when the file was refused."
    )

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "tender table import"
        indexes = [
            models.Index(
                fields=["council", "-created_at"], name="tender_import_recent_idx"
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.council}, {self.created_at:%d %b %Y %H:%M})"


class ArrangementQuerySet(PublishableQuerySet):
    def open_to_join(self):
        """Arrangements a provider can join now, without waiting for a tender."""
        return self.filter(joining=Arrangement.Joining.OPEN)

    def open_first(self):
        """Open to join first, then those that open from time to time, then closed."""
        joining = models.Case(
            models.When(joining=Arrangement.Joining.OPEN, then=models.Value(0)),
            models.When(joining=Arrangement.Joining.PERIODIC, then=models.Value(1)),
            default=models.Value(2),
        )
        return self.order_by(joining, "council__name", "name")


@reversion.register()
class Arrangement(Publishable):
    """A standing way to get work: framework, spot contract, provider panel.

    Edited as a working copy; readers see ``Arrangement.live`` (see Publishable).
    """

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", "Framework"
        DPS = "dps", "Dynamic purchasing system"
        PANEL = "panel", "Provider panel or approved list"
        SPOT = "spot", "Spot contract"
        BLOCK = "block", "Block contract"

    class Joining(models.TextChoices):
        OPEN = "open", "Open to join at any time"
        PERIODIC = "periodic", "Opens periodically"
        CLOSED = "closed", "Closed"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="arrangements"
    )
    name = models.CharField(max_length=300)
    kind = models.CharField("type of arrangement", max_length=20, choices=Kind)
    description = models.TextField(
        blank=True,
        help_text="What the arrangement covers, in the council's words. Markdown.",
    )
    types_of_care = models.ManyToManyField(
        TypeOfCare,
        blank=True,
        related_name="arrangements",
        verbose_name="types of care",
    )
    client_groups = models.ManyToManyField(
        ClientGroup, blank=True, related_name="arrangements"
    )
    lots = models.CharField(
        max_length=300, blank=True, help_text='For example "10 geographic zones".'
    )
    joining = models.CharField(
        "status for joining", max_length=20, choices=Joining, default=Joining.CLOSED
    )
    next_opening = models.CharField(
        max_length=60,
        blank=True,
        help_text='When it next opens to new providers, as published: "2024/25", '
        '"April 2025" or "TBC".',
    )
    next_opening_start = models.DateField(null=True, blank=True, editable=False)
    next_opening_end = models.DateField(null=True, blank=True, editable=False)
    how_to_join = models.TextField(
        blank=True,
        help_text="What a provider does to join, and on what terms. Markdown.",
    )
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    more_information_url = models.URLField(
        "link to more information",
        blank=True,
        help_text="The council's page, or the notice on its e-tendering portal.",
    )
    contact_email = models.EmailField(blank=True)
    is_demo = models.BooleanField(
        "demo data",
        default=False,
        help_text="Illustrative row made up for the demo, not a council's own.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkingCopyManager.from_queryset(ArrangementQuerySet)()
    live = LiveManager.from_queryset(ArrangementQuerySet)()

    council_path = "council"
    content_fields = (
        "name",
        "kind",
        "description",
        "types_of_care",
        "client_groups",
        "lots",
        "joining",
        "next_opening",
        "how_to_join",
        "starts",
        "ends",
        "more_information_url",
        "contact_email",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "contracting arrangement"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__isnull=True)
                | models.Q(ends__isnull=True)
                | models.Q(starts__lte=models.F("ends")),
                name="arrangement_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="arrangement_name_idx"),
            models.Index(fields=["kind", "name"], name="arrangement_kind_idx"),
            models.Index(fields=["joining", "name"], name="arrangement_joining_idx"),
            models.Index(fields=["council", "name"], name="arrangement_council_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        window = parse_date_window(self.next_opening)
        self.next_opening_start = window.start if window else None
        self.next_opening_end = window.end if window else None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Live copies share their working copy's address.
        return address(
            "tenders:arrangement-detail",
            council_slug=self.council.slug,
            pk=self.live_of_id or self.pk,
        )

    def get_preview_url(self):
        return reverse("tenders:arrangement-preview", kwargs={"pk": self.pk})

    def clean(self):
        try:
            parse_date_window(self.next_opening)
        except ValueError as error:
            raise ValidationError({"next_opening": str(error)}) from error


class RateQuerySet(CouncilOwnedQuerySet):
    def current(self, today=None):
        """Rates in force today: started (or no start given) and not yet ended."""
        today = today or clock.today()
        return self.filter(
            models.Q(effective_from__lte=today) | models.Q(effective_from=None),
            models.Q(effective_to__gte=today) | models.Q(effective_to=None),
        )


class Rate(models.Model):
    """What a council pays or offers for a type of care: a rate, fee or uplift."""

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", "Framework rate"
        SPOT = "spot", "Spot rate"
        UPLIFT = "uplift", "Uplift"
        WAGE = "wage", "Minimum hourly pay for care workers"
        FEE = "fee", "Standard fee"

    class Unit(models.TextChoices):
        HOUR = "hour", "per hour"
        VISIT = "visit", "per visit"
        WEEK = "week", "per week"
        NIGHT = "night", "per night"
        SESSION = "session", "per session"
        DAY = "day", "per day"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="rates")
    type_of_care = models.ForeignKey(
        TypeOfCare, on_delete=models.PROTECT, related_name="rates"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.CharField(
        max_length=300,
        help_text='What the rate is for, for example "Rural uplift for home care '
        'visits in more rural areas".',
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=20, choices=Unit)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    arrangement = models.ForeignKey(
        Arrangement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rates",
        help_text="The framework or contract the rate is paid under, if any.",
    )
    source_name = models.CharField("source", max_length=300)
    source_url = models.URLField("source link", blank=True, max_length=500)
    as_at = models.DateField(
        "as at", help_text="When the council published the rate, or its as-at date."
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RateQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["type_of_care__position", "council__name", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="rate_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_from__isnull=True)
                | models.Q(effective_to__isnull=True)
                | models.Q(effective_from__lte=models.F("effective_to")),
                name="rate_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["type_of_care", "council"], name="rate_market_idx"),
        ]

    def __str__(self):
        return f"{self.council}: {self.description}"

    def clean(self):
        if self.arrangement_id and self.arrangement.council_id != self.council_id:
            raise ValidationError(
                {"arrangement": "Choose one of this council's own arrangements."}
            )
