"""Councils, their Market Position Statement sections, contacts and provider forums,
the types of care, market indicators and commissioning intentions."""

from datetime import timedelta
from decimal import Decimal

import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from . import clock
from .addresses import address
from .periods import PeriodKind, ValueProblem, read_period

gss_code_validator = RegexValidator(
    regex=r"^E(06|07|08|09|10|12)\d{6}$",
    message=(
        "Enter an ONS GSS code for an English region or council, "
        "for example E06000047 (County Durham) or E12000001 (North East)."
    ),
)


LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def validate_logo(file) -> None:
    """A logo must be a real PNG or JPEG image, read by Pillow, of a sensible size.

    The file name's extension proves nothing: an HTML page named logo.png is
    refused here because Pillow cannot read it as an image.
    """
    from PIL import Image

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError("The logo must be smaller than 512 KB.")
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("The logo must be a PNG or JPEG image.") from None
    finally:
        file.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError("The logo must be a PNG or JPEG image.")
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError("The logo must be at most 4000 by 4000 pixels.")


class NaturalKeyManager(models.Manager):
    """Looks rows up by slug, so fixtures can refer to them by name."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        unique=True,
        validators=[gss_code_validator],
        help_text="The ONS code for the region, for example E12000001 for North East.",
    )
    introduction = models.TextField(
        blank=True,
        help_text="Shown on the portal's home page. Markdown: headings, lists, links.",
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class TypeOfCare(models.Model):
    """A type of care, or market: the one list every part of the portal speaks of.

    Tenders, contracting arrangements, the care services directory (through CQC's
    service types), quality figures, commissioning intentions, indicators and rates
    all point here, so one page can bring a market together.
    """

    class Setting(models.TextChoices):
        CARE_HOME = "care_home", "Care homes"
        COMMUNITY = "community", "Community-based"
        OTHER = "other", "Other support"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Types of care are listed in this order, lowest first."
    )
    setting = models.CharField(
        max_length=20,
        choices=Setting,
        default=Setting.OTHER,
        help_text=(
            "Where the care is given. CQC counts care homes and community-based "
            "services separately in its quality figures."
        ),
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence on what this type of care is, in plain words.",
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "type of care"
        verbose_name_plural = "types of care"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("councils:market-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class CouncilQuerySet(models.QuerySet):
    def with_url(self):
        """Each council with ``url``, the address ``get_absolute_url()`` gives,
        joined in the query to the address reversed once: a list of every council
        reversed each one's (153 reverses, a tenth of the councils page). A slug
        is a SlugField's, which ``reverse()`` leaves as it is."""
        sample = reverse("councils:council-detail", kwargs={"slug": "0"})
        return self.annotate(
            url=Concat(
                models.Value(sample[:-2]),
                "slug",
                models.Value("/"),
                output_field=models.CharField(),
            )
        )

    def editable_by(self, user):
        """Councils this user may edit: all for a portal administrator, else theirs."""
        if not user.is_active or not user.is_staff:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(commissioners=user)


class CouncilManager(NaturalKeyManager.from_queryset(CouncilQuerySet)):
    pass


class Council(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="councils"
    )
    name = models.CharField(
        max_length=150, unique=True, help_text="As the council names itself."
    )
    slug = models.SlugField(
        max_length=150, unique=True, help_text="Used in web addresses."
    )
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        unique=True,
        validators=[gss_code_validator],
        help_text="The ONS code for the council, for example E08000037 for Gateshead.",
    )
    website = models.URLField(blank=True)
    commissioning_email = models.EmailField(
        "commissioning contact email",
        blank=True,
        help_text="Where providers send questions about commissioning.",
    )
    commissioning_phone = models.CharField(
        "commissioning contact phone", max_length=40, blank=True
    )
    logo = models.FileField(
        upload_to="council-logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"]), validate_logo],
        help_text="Optional. A PNG or JPEG image, smaller than 512 KB.",
    )
    commissioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="councils",
        help_text="Council staff who may edit this council's content in the admin.",
    )
    requires_review = models.BooleanField(
        "changes need a second person",
        default=False,
        help_text=(
            "When ticked, an editor submits changes for review and one of the "
            "approvers below publishes them; nobody approves their own changes."
        ),
    )
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="approver_for",
        help_text="Council staff who may approve and publish what editors submit.",
    )
    mps_period_start = models.DateField(
        "MPS covers from",
        null=True,
        blank=True,
        help_text="The first day of the period the Market Position Statement covers.",
    )
    mps_period_end = models.DateField(
        "MPS covers to",
        null=True,
        blank=True,
        help_text="The last day of that period, for example 31 March 2025.",
    )

    objects = CouncilManager()

    # Path from this model to the council that owns it, for editable_by().
    council_path = ""

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mps_period_start__isnull=True)
                | models.Q(mps_period_end__isnull=True)
                | models.Q(mps_period_start__lte=models.F("mps_period_end")),
                name="council_mps_period_ordered",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("councils:council-detail", slug=self.slug)

    def can_approve(self, user) -> bool:
        """Whether this user may approve what this council's editors submit."""
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or self.approvers.filter(pk=user.pk).exists()

    def mps_period_ended(self, today=None) -> bool:
        today = today or clock.today()
        return self.mps_period_end is not None and self.mps_period_end < today

    def natural_key(self):
        return (self.slug,)


class CouncilOwnedQuerySet(models.QuerySet):
    """Rows that belong to a council, reached through ``model.council_path``."""

    def for_council(self, council):
        return self.filter(**{self.model.council_path: council})

    def editable_by(self, user):
        """Rows this user may edit: all for a portal administrator, else theirs."""
        if not user.is_active or not user.is_staff:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.model.council_path}__commissioners": user})


class EditorialState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


def replacement_time(model) -> models.Subquery:
    """For a live copy of ``model``: the publish time of the next later live copy
    of the same working copy (None if there is none), when ``live()`` stops
    showing it. A copy is live from ``publish_at`` until then."""
    return models.Subquery(
        model._base_manager.filter(
            live_of=models.OuterRef("live_of"),
            publish_at__gt=models.OuterRef("publish_at"),
        )
        .order_by("publish_at")
        .values("publish_at")[:1]
    )


class PublishableQuerySet(CouncilOwnedQuerySet):
    """Content with a working copy that editors change and live copies readers see.

    A row with ``live_of`` empty is the working copy (what the admin edits); each
    publication adds a live copy (``live_of`` pointing at the working copy) with its
    ``publish_at``, and stores when the next one replaces it (``replaced_at``).
    Which copy readers see is worked out in the query from those two times, so a
    scheduled copy goes live at its time without any job running.
    """

    def live(self, now=None):
        """Live copies readers see now: due, and not replaced by a later due copy.

        "Now" is ``clock.now()`` when the queryset is made, passed as a parameter
        (not the database's ``NOW()``), so moving the clock moves publishing too.
        When a copy is replaced is stored on it (``replaced_at``, kept by
        ``set_replaced_at``), so this tests the row's own columns: asking the
        table for a later copy of each row took about a millisecond to build
        and compile for each query, and the database a probe of an index per
        row.
        """
        now = now or clock.now()
        return self.filter(
            models.Q(replaced_at__isnull=True) | models.Q(replaced_at__gt=now),
            live_of__isnull=False,
            publish_at__lte=now,
        )

    def with_next_copy_at(self):
        """Each row with ``next_copy_at``: its ``replacement_time``, worked out
        from the table as it is now rather than read from ``replaced_at`` (the
        site search indexes a row while publishing is still adding its family's
        copies)."""
        return self.annotate(next_copy_at=replacement_time(self.model))

    def set_replaced_at(self) -> int:
        """Store each of these live copies' ``replaced_at`` from its family's
        publish times. Whatever adds, deletes or moves the publish time of live
        copies (``councils.publishing.publish`` does) calls this on their
        family, in the same transaction."""
        return self.filter(live_of__isnull=False).update(
            replaced_at=replacement_time(self.model)
        )

    def scheduled(self, now=None):
        """Live copies waiting for their publish time."""
        return self.filter(live_of__isnull=False, publish_at__gt=now or clock.now())

    def due_for_review(self, today=None):
        """Live copies whose review-by date has passed."""
        return self.live().filter(review_by__lt=today or clock.today())


class WorkingCopyManager(models.Manager):
    """The default manager: working copies only, never the live copies."""

    def get_queryset(self):
        return self.every_copy().filter(live_of__isnull=True)

    def every_copy(self):
        """Working and live copies alike, with the model's queryset methods
        (``.scheduled()`` for the admin's "scheduled" lists)."""
        return super().get_queryset()


class LiveManager(models.Manager):
    """What readers see now (``Model.live``): one live copy per item at most."""

    def get_queryset(self):
        return super().get_queryset().live()


class Publishable(models.Model):
    """Drafts beside live pages, review, scheduling and a change log.

    A content model joins by inheriting this, naming its ``content_fields`` (what a
    version is made of: copied, compared and restored), using a queryset based on
    ``PublishableQuerySet`` with ``WorkingCopyManager`` as its default manager and
    ``LiveManager`` as ``live``, adding ``condition=Q(live_of=None)`` to its unique
    constraints, and registering its admin with ``PublishingAdmin``.
    """

    live_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="live_copies",
        help_text="Empty on the working copy; on a live copy, its working copy.",
    )
    editorial_state = models.CharField(
        "state",
        max_length=20,
        choices=EditorialState,
        default=EditorialState.DRAFT,
        editable=False,
    )
    first_published_at = models.DateTimeField(
        "first published", null=True, blank=True, editable=False
    )
    publish_at = models.DateTimeField(
        "live from", null=True, blank=True, editable=False
    )
    replaced_at = models.DateTimeField(
        "replaced from",
        null=True,
        blank=True,
        editable=False,
        help_text="On a live copy: the publish time of the next later live copy of "
        "the same item, when readers stop seeing this one (empty: none yet).",
    )
    content_updated_at = models.DateTimeField(
        "last updated",
        null=True,
        blank=True,
        editable=False,
        help_text="The time of the last major change; minor changes leave it alone.",
    )
    review_by = models.DateField(
        "review by",
        null=True,
        blank=True,
        help_text=(
            "When this should next be checked. Left empty, publishing sets it to "
            "12 months ahead."
        ),
    )
    publication = models.ForeignKey(
        "councils.Publication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="On a live copy: its latest major change, shown to readers.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(
        blank=True,
        editable=False,
        help_text="Why an approver returned the last submission.",
    )
    lock_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up on every save, so two people cannot overwrite each other.",
    )

    # The fields a version is made of; set by each model.
    content_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_live_copy(self) -> bool:
        return self.live_of_id is not None

    @property
    def has_been_published(self) -> bool:
        return self.first_published_at is not None

    def due_for_review(self, today=None) -> bool:
        today = today or clock.today()
        return self.review_by is not None and self.review_by < today

    def content(self) -> dict:
        """The content fields' values, as stored in a version (many-to-many
        fields as sorted lists of ids)."""
        values = {}
        for name in self.content_fields:
            field = self._meta.get_field(name)
            if field.many_to_many:
                related = getattr(self, name)
                values[name] = (
                    sorted(related.values_list("pk", flat=True)) if self.pk else []
                )
            else:
                values[name] = getattr(self, field.attname)
        return values


class Heading(models.Model):
    """A heading shared by every council's MPS, so councils can be compared."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Headings are listed in this order, lowest first."
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="What councils write under this heading."
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("councils:compare", heading_slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class SectionQuerySet(PublishableQuerySet):
    def published(self):
        """Live sections showing their text (not "coming soon").

        Live copies only, so ``Section.objects.published()`` (working copies) is
        empty rather than a leak of unpublished text: use ``Section.live``.
        """
        return self.filter(live_of__isnull=False, status=Section.Status.PUBLISHED)

    def recently_updated(self):
        return self.published().order_by("-content_updated_at")

    def with_url(self):
        """Each section with ``url``, the address ``get_absolute_url()`` gives,
        joined in the query to the address reversed once (as
        ``CouncilQuerySet.with_url``): a list of every council's section under a
        heading reversed each one's. Slugs are SlugFields', which ``reverse()``
        leaves as they are."""
        sample = reverse(
            "councils:section-detail", kwargs={"slug": "0", "heading_slug": "1"}
        )
        return self.annotate(
            url=Concat(
                models.Value(sample.removesuffix("0/1/")),
                "council__slug",
                models.Value("/"),
                "heading__slug",
                models.Value("/"),
                output_field=models.CharField(),
            )
        )


class SectionManager(WorkingCopyManager.from_queryset(SectionQuerySet)):
    def get_by_natural_key(self, council_slug, heading_slug):
        return self.get(council__slug=council_slug, heading__slug=heading_slug)


@reversion.register()
class Section(Publishable):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        COMING_SOON = "coming_soon", "Coming soon"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="sections"
    )
    heading = models.ForeignKey(
        Heading, on_delete=models.PROTECT, related_name="sections"
    )
    status = models.CharField(
        "what readers see",
        max_length=20,
        choices=Status,
        default=Status.PUBLISHED,
        help_text=(
            "Once published: the text below, or the heading with a note that the "
            "content is coming soon."
        ),
    )
    body = models.TextField(
        blank=True,
        help_text=(
            "Write in Markdown: ## for headings (listed under 'On this page'), - for "
            "bullet lists, [text](address) for links, | pipes | for tables (a line "
            "'Table: …' just above a table becomes its caption). HTML tags do not "
            "work: anything typed as HTML is shown as plain text."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SectionManager()
    live = LiveManager.from_queryset(SectionQuerySet)()

    council_path = "council"
    content_fields = ("status", "body")

    class Meta:
        ordering = ["council__name", "heading__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "heading"],
                condition=models.Q(live_of=None),
                name="one_section_per_council_heading",
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "-content_updated_at"], name="section_recent_idx"
            ),
            models.Index(fields=["live_of", "-publish_at"], name="section_live_idx"),
            # Per-council counts of live sections (the council list) and a council's
            # live sections (its page) read only that council's rows.
            models.Index(
                fields=["council", "live_of"], name="section_council_live_idx"
            ),
        ]

    def __str__(self):
        return f"{self.council}: {self.heading}"

    def get_absolute_url(self):
        return address(
            "councils:section-detail",
            slug=self.council.slug,
            heading_slug=self.heading.slug,
        )

    def get_preview_url(self):
        return reverse("councils:section-preview", kwargs={"pk": self.pk})

    def natural_key(self):
        return (self.council.slug, self.heading.slug)

    natural_key.dependencies = ["councils.council", "councils.heading"]


class PublicationQuerySet(CouncilOwnedQuerySet):
    def due(self, now=None):
        """Publications whose time has come."""
        return self.filter(publish_at__lte=now or clock.now())

    def public(self):
        """The public change log: major changes whose time has come."""
        return self.due().filter(major=True)

    def about(self, types_of_care):
        """Changes to content about any of these types of care."""
        return self.filter(
            pk__in=Publication.types_of_care.through.objects.filter(
                typeofcare__in=types_of_care
            ).values("publication_id")
        )

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=getattr(obj, "live_of_id", None) or obj.pk,
        )


class Publication(models.Model):
    """One version going live: who published what and when, and what readers are
    told about it. Major changes make the public "What changed" log."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(help_text="The working copy's id.")
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="publications"
    )
    title = models.CharField(
        max_length=300, help_text="What changed, as readers know it."
    )
    url = models.CharField("public address", max_length=500)
    publish_at = models.DateTimeField("live from")
    major = models.BooleanField(
        "major change",
        help_text="Major changes carry a public note and move 'Last updated'.",
    )
    note = models.CharField(
        "change note",
        max_length=200,
        blank=True,
        help_text="One line for readers, for example “Updated home care intentions "
        "for 2026/27”.",
    )
    version = models.ForeignKey(
        Version, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The publication before this one, to compare with.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    types_of_care = models.ManyToManyField(
        TypeOfCare,
        blank=True,
        related_name="publications",
        verbose_name="types of care",
        help_text="What the changed content is about, for filtering What changed.",
    )

    objects = PublicationQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["major", "-publish_at"], name="publication_log_idx"),
            models.Index(
                fields=["content_type", "object_id", "-publish_at"],
                name="publication_object_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.publish_at:%d %b %Y}"

    def get_absolute_url(self):
        return address("councils:change-detail", pk=self.pk)


class Contact(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="contacts"
    )
    role = models.CharField(
        max_length=150,
        help_text="For example: Integrated Strategic Commissioning Team.",
    )
    name = models.CharField(
        max_length=150, blank=True, help_text="A person's name, if they agree to it."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["council__name", "position", "role"]

    def __str__(self):
        return f"{self.role} ({self.council})"

    def get_absolute_url(self):
        return self.council.get_absolute_url()


class ProviderForum(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="provider_forums"
    )
    name = models.CharField(max_length=200)
    audience = models.CharField(
        max_length=300,
        help_text="Who the forum is for, for example: care home providers.",
    )
    how_to_join = models.TextField(
        "how to join", help_text="Markdown: how a provider gets involved."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"

    class Meta:
        ordering = ["council__name", "position", "name"]
        verbose_name = "provider forum"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.council.get_absolute_url()


ENGLAND_GSS_CODE = "E92000001"

area_code_validator = RegexValidator(
    regex=r"^E(06|07|08|09|10|12|92)\d{6}$",
    message=(
        "Enter an ONS GSS code for a council, a region or England, for example "
        "E06000047 (County Durham), E12000001 (North East) or E92000001 (England)."
    ),
)


def resolve_area(code: str) -> tuple[Council | None, Region | None]:
    """The council or region a GSS code names; (None, None) for England."""
    code = (code or "").strip().upper()
    if code == ENGLAND_GSS_CODE:
        return None, None
    if council := Council.objects.filter(gss_code=code).first():
        return council, None
    if region := Region.objects.filter(gss_code=code).first():
        return None, region
    raise ValueProblem(
        f"There is no council or region with the code “{code}” on the portal "
        f"(England is {ENGLAND_GSS_CODE})"
    )


class RowCount(models.Subquery):
    """How many rows a subquery gives (``SELECT COUNT(*)`` over it)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()


class IndicatorQuerySet(models.QuerySet):
    def with_area_counts(self):
        """Each indicator's ``areas``: how many areas have figures, their distinct
        area codes read from the unique constraint's index (indicator, area code,
        ...) one indicator at a time. ``Count(distinct=True)`` over a join read and
        sorted every figure (9.4 of the indicator list's 11 ms at national scale:
        19,000 figures)."""
        return self.annotate(
            areas=RowCount(
                IndicatorValue.objects.filter(indicator=models.OuterRef("pk"))
                .order_by()
                .values("area_code")
                .distinct()
            )
        )

    def in_topic_order(self):
        """By topic in the order the topics are declared (demand, supply,
        workforce, spend, outcomes: as an MPS presents them), then position and
        name. Meta's ordering sorts topics by their stored values ("outcomes"
        before "spend")."""
        topics = models.Case(
            *(
                models.When(topic=topic, then=models.Value(number))
                for number, topic in enumerate(Indicator.Topic.values)
            ),
            output_field=models.IntegerField(),
        )
        return self.order_by(topics, "position", "name")


class Indicator(models.Model):
    """A market fact councils publish: a metric with its definition and unit."""

    class Topic(models.TextChoices):
        DEMAND = "demand", "Demand and need"
        SUPPLY = "supply", "Supply and capacity"
        WORKFORCE = "workforce", "Workforce"
        SPEND = "spend", "Spend"
        OUTCOMES = "outcomes", "Health and outcomes"

    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        COUNT = "count", "people or places"
        GBP = "gbp", "£"
        GBP_MILLION = "gbp_million", "£ million"
        PER_100K = "per_100k", "per 100,000 people"
        BEDS = "beds", "beds"
        YEARS = "years", "years"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Every year"
        BIENNIAL = "biennial", "Every two years"

    # How long a figure stays current: past this after its as-at date it is
    # marked "May be out of date".
    UPDATE_INTERVAL_DAYS = {
        Frequency.MONTHLY: 31,
        Frequency.QUARTERLY: 92,
        Frequency.ANNUAL: 366,
        Frequency.BIENNIAL: 731,
    }

    UNIT_FORMATS = {
        Unit.PERCENT: "{}%",
        Unit.COUNT: "{}",
        Unit.GBP: "£{}",
        Unit.GBP_MILLION: "£{} million",
        Unit.PER_100K: "{} per 100,000",
        Unit.BEDS: "{} beds",
        Unit.YEARS: "{} years",
    }

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    definition = models.TextField(
        help_text="What is counted, over what population, in plain words."
    )
    topic = models.CharField(max_length=20, choices=Topic)
    unit = models.CharField(max_length=20, choices=Unit)
    decimal_places = models.PositiveSmallIntegerField(
        default=0, help_text="How many decimal places figures are shown with."
    )
    frequency = models.CharField(
        "updated",
        max_length=20,
        choices=Frequency,
        default=Frequency.ANNUAL,
        help_text="How often the source publishes a new figure.",
    )
    types_of_care = models.ManyToManyField(
        TypeOfCare,
        blank=True,
        related_name="indicators",
        help_text="The markets this figure concerns; none for the whole of care.",
    )
    at_a_glance = models.BooleanField(
        "show at a glance",
        default=False,
        help_text="Shown in 'The market at a glance' on council pages.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager.from_queryset(IndicatorQuerySet)()

    class Meta:
        ordering = ["topic", "position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("councils:indicator-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    def format(self, value: Decimal) -> str:
        """A figure as people read it: "26.0%", "£190 million", "52,700"."""
        # Grouped by Python's format, as intcomma groups English numbers: a
        # market page formats some sixty figures, and intcomma went through
        # Django's locale-aware number formatting for each.
        number = f"{value:,.{self.decimal_places}f}"
        return self.UNIT_FORMATS[self.unit].format(number)

    @property
    def update_interval_days(self) -> int:
        return self.UPDATE_INTERVAL_DAYS[self.frequency]


class NoLaterFigure(models.Expression):
    """True for a figure when no other figure of its indicator and area, of the
    same kind (actual, or projection), ends later: ``latest()``'s condition.

    Written as SQL, in the shape the ORM gave it (an actual with no later
    actual, or a projection with no further projection: two ``NOT EXISTS``,
    which the database runs as index lookups under each figure kept). Built from
    querysets, the two ``Exists`` with outer references were about half of
    compiling a council page's key figures query (0.8 of 1.9 ms). One
    ``NOT EXISTS`` comparing the kinds planned worse: the market page's figures
    took 1.7 ms in the database against 1.4.
    """

    conditional = True
    output_field = models.BooleanField()

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        table = quote(IndicatorValue._meta.db_table)
        # The figures' own alias in the query compiled: a relabelled one when
        # the figures are a subquery of another query.
        outer = compiler.quote_name(compiler.query.base_table)
        later = quote("later_figure")
        indicator, area, end, base_year = (
            quote(IndicatorValue._meta.get_field(name).column)
            for name in ("indicator", "area_code", "period_end", "base_year")
        )

        def none_later(kind: str) -> str:
            # Quoted table and column names only: no value is written in.
            return (
                f"NOT EXISTS (SELECT 1 FROM {table} {later} "  # noqa: S608
                f"WHERE {later}.{indicator} = {outer}.{indicator} "
                f"AND {later}.{area} = {outer}.{area} "
                f"AND {later}.{end} > {outer}.{end} "
                f"AND {later}.{base_year} IS {kind})"
            )

        return (
            f"(({outer}.{base_year} IS NULL AND {none_later('NULL')}) OR "
            f"({outer}.{base_year} IS NOT NULL AND {none_later('NOT NULL')}))"
        ), []


class IndicatorValueQuerySet(CouncilOwnedQuerySet):
    def actuals(self):
        return self.filter(base_year=None)

    def about_market(self, type_of_care):
        """Figures of indicators about this type of care, and the key figures
        about the whole of care (indicators shown at a glance with no type)."""
        return self.filter(
            models.Q(indicator__types_of_care=type_of_care)
            | models.Q(indicator__types_of_care=None, indicator__at_a_glance=True)
        )

    def for_areas(self, councils):
        """Values for these councils, their regions and England, for comparison."""
        councils = list(councils)
        return self.filter(
            models.Q(council__in=councils)
            | models.Q(region__in={c.region_id for c in councils})
            | models.Q(area_code=ENGLAND_GSS_CODE)
        )

    def latest(self):
        """Per indicator and area: the newest actual figure and the furthest
        projection (a projection is kept beside the actual, never instead)."""
        return self.filter(NoLaterFigure())

    def in_comparison_order(self):
        """By indicator, then councils before regions before England (each by
        name), then period, with what the tables show fetched in the same query.
        Indicators come by their topic's stored value; a page giving several
        topics puts them in the declared order (``councils.market.in_topic_order``)."""
        area_rank = models.Case(
            models.When(council__isnull=False, then=models.Value(0)),
            models.When(region__isnull=False, then=models.Value(1)),
            default=models.Value(2),
        )
        return (
            self.select_related("indicator", "council", "region")
            .annotate(area_rank=area_rank)
            .order_by(
                "indicator__topic",
                "indicator__position",
                "indicator__name",
                "indicator_id",
                "area_rank",
                "council__name",
                "region__name",
                models.F("base_year").asc(nulls_first=True),
                "period_start",
            )
        )


@reversion.register()
class IndicatorValue(models.Model):
    """One figure: an indicator's value for an area and a period, with its source.

    Every admin save and import is a version (History in the admin, with
    restore); changes to a council's figures are listed in What changed.
    """

    PeriodKind = PeriodKind

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values"
    )
    area_code = models.CharField(
        "area code",
        max_length=9,
        validators=[area_code_validator],
        help_text="GSS code of the council, the region or England (E92000001).",
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        editable=False,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        editable=False,
    )
    period = models.CharField(
        max_length=40,
        help_text=(
            'As published: "2024", "2021/22", "January 2024" or "31 March 2024". '
            "For a projection, the year projected to."
        ),
    )
    period_kind = models.CharField(max_length=20, choices=PeriodKind, editable=False)
    period_start = models.DateField(editable=False)
    period_end = models.DateField(editable=False)
    base_year = models.PositiveSmallIntegerField(
        "projection base year",
        null=True,
        blank=True,
        help_text="For a projection only: the year it was made from (2018-based).",
    )
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source_name = models.CharField("source", max_length=300)
    source_url = models.URLField("source link", blank=True, max_length=500)
    as_at = models.DateField(
        "as at", help_text="When the source published the figure, or its as-at date."
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    council_path = "council"
    commissioner_extra_permissions = ["import"]
    # What a version is compared and restored by (councils.publishing_admin).
    content_fields = (
        "indicator",
        "area_code",
        "period",
        "base_year",
        "value",
        "source_name",
        "source_url",
        "as_at",
        "notes",
    )

    class Meta:
        ordering = ["indicator", "area_code", "period_start"]
        verbose_name = "indicator figure"
        permissions = [("import_indicatorvalue", "Can import indicator figures")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "period_kind", "period_start"],
                name="one_figure_per_indicator_area_period",
            ),
            models.CheckConstraint(
                condition=~(
                    models.Q(council__isnull=False) & models.Q(region__isnull=False)
                ),
                name="figure_for_one_area",
            ),
        ]
        indexes = [
            models.Index(
                fields=["indicator", "period_end"], name="indicatorvalue_period_idx"
            ),
            models.Index(
                fields=["council", "indicator"], name="indicatorvalue_council_idx"
            ),
            # England's figures (``for_areas``: no council or region to find them
            # by); the unique constraint's index has the indicator first.
            models.Index(fields=["area_code"], name="indicatorvalue_area_idx"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.area_code} {self.period}"

    def save(self, *args, **kwargs):
        period = read_period(self.period)
        self.period_kind = period.kind
        self.period_start, self.period_end = period.start, period.end
        self.council, self.region = resolve_area(self.area_code)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.council, self.region = resolve_area(self.area_code)
        except ValueProblem as problem:
            raise ValidationError({"area_code": str(problem)}) from problem
        try:
            read_period(self.period)
        except ValueProblem as problem:
            raise ValidationError({"period": str(problem)}) from problem

    @property
    def is_projection(self) -> bool:
        return self.base_year is not None

    @property
    def formatted(self) -> str:
        return self.indicator.format(self.value)

    @property
    def period_label(self) -> str:
        if self.is_projection:
            return f"{self.period} (projected, {self.base_year}-based)"
        return self.period

    @property
    def year(self) -> float:
        """The middle of the period as a fractional year, for charts over time."""
        middle = self.period_start + (self.period_end - self.period_start) / 2
        return middle.year + (middle.timetuple().tm_yday - 1) / 366

    @property
    def area_name(self) -> str:
        if self.council_id:
            return self.council.name
        if self.region_id:
            return self.region.name
        return "England"

    @property
    def out_of_date(self) -> bool:
        return self.out_of_date_on(clock.today())

    def out_of_date_on(self, today) -> bool:
        """Past its source's next update on ``today`` (``out_of_date`` is today's
        answer; a table of figures asks every row with one ``today``)."""
        limit = timedelta(days=self.indicator.update_interval_days)
        return self.as_at + limit < today


class IndicatorImportQuerySet(CouncilOwnedQuerySet):
    def editable_by(self, user):
        """Imports of figures for this user's councils, each listed once.

        A file may hold several councils' figures, so the join to councils can
        meet one import more than once.
        """
        return super().editable_by(user).distinct()


class IndicatorImport(models.Model):
    """One attempt to load a file of indicator figures: who, when, what it did."""

    class Outcome(models.TextChoices):
        PREVIEWED = "previewed", "Previewed: nothing written yet"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused: nothing written"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_imports",
        help_text="Empty when the import ran from the command line without --user.",
    )
    councils = models.ManyToManyField(
        Council,
        blank=True,
        related_name="indicator_imports",
        help_text=(
            "The councils whose figures the file held (a commissioner's own "
            "councils when it named none of them). Their staff see the import."
        ),
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
    errors = models.PositiveIntegerField(default=0)
    error_summary = models.TextField(
        blank=True, help_text="The first problems found, when the file was refused."
    )

    objects = IndicatorImportQuerySet.as_manager()

    council_path = "councils"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "indicator figures import"
        indexes = [models.Index(fields=["-created_at"], name="indicator_import_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d %b %Y %H:%M})"


class CommissioningIntentionQuerySet(PublishableQuerySet):
    def published(self):
        """Marked published by the council. Readers see
        ``CommissioningIntention.live.published()``: live copies of those."""
        return self.filter(status=CommissioningIntention.Status.PUBLISHED)


@reversion.register()
class CommissioningIntention(Publishable):
    """What a council wants more or less of, for one type of care, and how.

    Edited as a working copy; readers see ``CommissioningIntention.live``.
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        DRAFT = "draft", "Draft"

    class Direction(models.TextChoices):
        GROW = "grow", "Grow"
        MAINTAIN = "maintain", "Maintain"
        REDUCE = "reduce", "Reduce"
        REMODEL = "remodel", "Remodel"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="intentions"
    )
    type_of_care = models.ForeignKey(
        TypeOfCare, on_delete=models.PROTECT, related_name="intentions"
    )
    direction = models.CharField(
        max_length=20,
        choices=Direction,
        help_text=(
            "Grow: the council wants more of it. Maintain: about the same. Reduce: "
            "less. Remodel: the same need met in a different way."
        ),
    )
    summary = models.CharField(
        "what the council wants",
        max_length=300,
        help_text='One sentence, for example "More supported living for people '
        'with complex needs".',
    )
    where = models.CharField(
        max_length=200,
        blank=True,
        help_text="Localities, if the intention is about some places only, for "
        'example "more rural areas".',
    )
    detail = models.TextField(
        blank=True,
        help_text="More on what and why, in the council's words. Markdown.",
    )
    how = models.TextField(
        "how the council will get there",
        blank=True,
        help_text="Tenders, frameworks, discussions with providers. Markdown.",
    )
    period = models.CharField(
        max_length=40,
        blank=True,
        help_text='The period the intention covers, as published: "2023/25".',
    )
    sections = models.ManyToManyField(
        Section,
        blank=True,
        related_name="intentions",
        verbose_name="MPS sections about it",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkingCopyManager.from_queryset(CommissioningIntentionQuerySet)()
    live = LiveManager.from_queryset(CommissioningIntentionQuerySet)()

    council_path = "council"
    content_fields = (
        "type_of_care",
        "direction",
        "status",
        "summary",
        "where",
        "detail",
        "how",
        "period",
        "sections",
        "position",
    )

    class Meta:
        ordering = ["type_of_care__position", "council__name", "position"]
        verbose_name = "commissioning intention"
        indexes = [
            models.Index(
                fields=["type_of_care", "status"], name="intention_market_idx"
            ),
            models.Index(fields=["council", "status"], name="intention_council_idx"),
        ]

    def __str__(self):
        return f"{self.council}: {self.type_of_care}: {self.summary}"

    def get_absolute_url(self):
        # Live copies share their working copy's address.
        return (
            address("councils:market-detail", slug=self.type_of_care.slug)
            + f"?council={self.council.slug}#intention-{self.live_of_id or self.pk}"
        )

    def get_preview_url(self):
        return reverse(
            "councils:intention-preview", kwargs={"pk": self.live_of_id or self.pk}
        )


class VocabularyAliasManager(models.Manager.from_queryset(CouncilOwnedQuerySet)):
    def get_by_natural_key(self, council_slug, name):
        return self.get(council__slug=council_slug, name=name)


class VocabularyAlias(models.Model):
    """A council's own word for a term of a shared list, so its tables import.

    Imports match a table's words to the list by name, then by these aliases; a
    commissioner adds one when the import reports a word it does not know.
    """

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="%(class)ses"
    )
    name = models.CharField(
        max_length=150,
        help_text='The word as the council writes it, for example "Home care".',
    )

    objects = VocabularyAliasManager()

    council_path = "council"

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.council.slug, self.name)

    natural_key.dependencies = ["councils.council"]


class TypeOfCareAlias(VocabularyAlias):
    type_of_care = models.ForeignKey(
        TypeOfCare,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name="type of care",
        help_text="The type of care this word stands for.",
    )

    class Meta(VocabularyAlias.Meta):
        verbose_name = "type of care alias"
        verbose_name_plural = "type of care aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="type_of_care_alias_unique"
            )
        ]


class AuditEntry(models.Model):
    """Who changed what, for which council and when: admin changes and imports.

    Written next to Django's admin LogEntry (which it links to) by
    ``councils.audit``; readable in the admin by the council's staff and portal
    administrators only, and pruned after ``AUDIT_RETENTION_DAYS`` by
    ``manage.py prune_audit_log``.
    """

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        PUBLISHED = "published", "Published"
        DELETED = "deleted", "Deleted"
        IMPORTED = "imported", "Imported"
        IMPORT_REFUSED = "import-refused", "Import refused"

    created_at = models.DateTimeField("when", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Empty for a command-line import run without --user.",
    )
    username = models.CharField(
        "who",
        max_length=150,
        blank=True,
        help_text="Kept if the account is later deleted.",
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    action = models.CharField(max_length=20, choices=Action)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("what", max_length=200)
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text='Each changed field: {"field": {"from": old, "to": new}}.',
    )
    message = models.TextField(blank=True)
    log_entry = models.OneToOneField(
        "admin.LogEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entry",
    )

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "council"
    # Council staff read their council's trail; nobody edits it.
    commissioner_permissions = ["view"]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["council", "-created_at"], name="audit_council_idx")
        ]

    def __str__(self):
        return f"{self.username or 'command line'} {self.action} {self.object_repr}"


class SearchDocumentQuerySet(CouncilOwnedQuerySet):
    """Search documents; query logic is in ``councils.search``."""


class SearchDocument(models.Model):
    """One searchable page (an MPS section, a tender, a care service…): its words,
    kept in step with the content it is made from (see ``councils.search``).

    Whether readers may see the page is kept on the document as the times it is
    shown between (``visible_from``, ``visible_until``), worked out from its source
    when it is indexed and compared with ``clock.now()`` at search time: a
    scheduled section turns up at its time, and the copy it replaces goes, without
    the index being touched then.
    """

    kind = models.CharField(
        max_length=30, help_text="What the page is: a key in the search registry."
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for pages about the whole region (markets, indicators).",
    )
    title = models.CharField(max_length=400)
    body = models.TextField(blank=True, help_text="Plain text, without Markdown.")
    url = models.CharField(max_length=500)
    published_at = models.DateTimeField(null=True, blank=True)
    visible_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When readers may first see the page; empty: from the start.",
    )
    visible_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a later copy replaces the page; empty: not replaced.",
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    # PostgreSQL only (a GIN index is added by migration there); SQLite searches
    # its FTS5 table councils_searchdocument_fts, kept by triggers.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchDocumentQuerySet.as_manager()

    council_path = "council"

    class Meta:
        verbose_name = "search document"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_document_per_object"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="searchdocument_kind_idx"),
        ]

    def __str__(self):
        return self.title


# Email alerts keep their models in their own package (councils.alerts).
from .alerts.models import Delivery, Subscriber, Subscription  # noqa: E402, F401
