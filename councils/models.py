"""Councils, their Market Position Statement sections, contacts and provider forums."""

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

gss_code_validator = RegexValidator(
    regex=r"^E(06|07|08|09|10|12)\d{6}$",
    message=(
        "Enter an ONS GSS code for an English region or council, "
        "for example E06000047 (County Durham) or E12000001 (North East)."
    ),
)


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


class CouncilQuerySet(models.QuerySet):
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
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text="Optional. PNG or JPEG.",
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
        return reverse("councils:council-detail", kwargs={"slug": self.slug})

    def can_approve(self, user) -> bool:
        """Whether this user may approve what this council's editors submit."""
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or self.approvers.filter(pk=user.pk).exists()

    def mps_period_ended(self, today=None) -> bool:
        today = today or timezone.localdate()
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


class PublishableQuerySet(CouncilOwnedQuerySet):
    """Content with a working copy that editors change and live copies readers see.

    A row with ``live_of`` empty is the working copy (what the admin edits); each
    publication adds a live copy (``live_of`` pointing at the working copy) with its
    ``publish_at``. Which copy readers see is worked out in the query, so a
    scheduled copy goes live at its time without any job running.
    """

    def live(self):
        """Live copies readers see now: due, and not replaced by a later due copy."""
        later = self.model._base_manager.filter(
            live_of=models.OuterRef("live_of"),
            publish_at__lte=Now(),
            publish_at__gt=models.OuterRef("publish_at"),
        )
        return self.filter(live_of__isnull=False, publish_at__lte=Now()).filter(
            ~models.Exists(later)
        )

    def scheduled(self):
        """Live copies waiting for their publish time."""
        return self.filter(live_of__isnull=False, publish_at__gt=Now())

    def due_for_review(self, today=None):
        """Live copies whose review-by date has passed."""
        return self.live().filter(review_by__lt=today or timezone.localdate())


class WorkingCopyManager(models.Manager):
    """The default manager: working copies only, never the live copies."""

    def get_queryset(self):
        return super().get_queryset().filter(live_of__isnull=True)


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
        today = today or timezone.localdate()
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
        return reverse("councils:compare", kwargs={"heading_slug": self.slug})

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
        ]

    def __str__(self):
        return f"{self.council}: {self.heading}"

    def get_absolute_url(self):
        return reverse(
            "councils:section-detail",
            kwargs={"slug": self.council.slug, "heading_slug": self.heading.slug},
        )

    def get_preview_url(self):
        return reverse("councils:section-preview", kwargs={"pk": self.pk})

    def natural_key(self):
        return (self.council.slug, self.heading.slug)

    natural_key.dependencies = ["councils.council", "councils.heading"]


class PublicationQuerySet(CouncilOwnedQuerySet):
    def due(self):
        """Publications whose time has come."""
        return self.filter(publish_at__lte=Now())

    def public(self):
        """The public change log: major changes whose time has come."""
        return self.due().filter(major=True)

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
        return reverse("councils:change-detail", kwargs={"pk": self.pk})


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
