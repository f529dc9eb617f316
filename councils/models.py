"""Councils, their Market Position Statement sections, contacts and provider forums."""

from django.conf import settings
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

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
        return reverse("councils:market-detail", kwargs={"slug": self.slug})

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

    objects = CouncilManager()

    # Path from this model to the council that owns it, for editable_by().
    council_path = ""

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("councils:council-detail", kwargs={"slug": self.slug})

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


class SectionQuerySet(CouncilOwnedQuerySet):
    def public(self):
        """Sections anyone may read: published, or announced as coming soon."""
        return self.exclude(status=Section.Status.DRAFT)

    def published(self):
        return self.filter(status=Section.Status.PUBLISHED)

    def recently_updated(self):
        return self.published().order_by("-content_updated_at")


class SectionManager(models.Manager.from_queryset(SectionQuerySet)):
    def get_by_natural_key(self, council_slug, heading_slug):
        return self.get(council__slug=council_slug, heading__slug=heading_slug)


class Section(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        COMING_SOON = "coming_soon", "Coming soon"
        DRAFT = "draft", "Draft"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="sections"
    )
    heading = models.ForeignKey(
        Heading, on_delete=models.PROTECT, related_name="sections"
    )
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.DRAFT,
        help_text=(
            "Draft sections are never shown to the public. Coming soon shows the "
            "heading with a note that the content is on its way."
        ),
    )
    body = models.TextField(
        blank=True,
        help_text=(
            "Write in Markdown: ## for headings, - for bullet lists, [text](address) "
            "for links, | pipes | for tables (a line 'Table: …' just above a table "
            "becomes its caption). HTML is not allowed and is removed."
        ),
    )
    content_updated_at = models.DateTimeField(
        "last updated",
        default=timezone.now,
        editable=False,
        help_text="Changes only when the text or status changes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SectionManager()

    council_path = "council"

    class Meta:
        ordering = ["council__name", "heading__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "heading"], name="one_section_per_council_heading"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "-content_updated_at"], name="section_recent_idx"
            )
        ]

    def __str__(self):
        return f"{self.council}: {self.heading}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = Section.objects.filter(pk=self.pk).values("body", "status").first()
            if stored and (stored["body"], stored["status"]) != (
                self.body,
                self.status,
            ):
                self.content_updated_at = timezone.now()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {
                        *kwargs["update_fields"],
                        "content_updated_at",
                    }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "councils:section-detail",
            kwargs={"slug": self.council.slug, "heading_slug": self.heading.slug},
        )

    def natural_key(self):
        return (self.council.slug, self.heading.slug)

    natural_key.dependencies = ["councils.council", "councils.heading"]


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
