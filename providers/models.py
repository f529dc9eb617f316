"""The care services directory: providers and the services (CQC locations) they run."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce

from councils import clock
from councils.addresses import address
from councils.models import Council, CouncilOwnedQuerySet, NaturalKeyManager, TypeOfCare


class Vocabulary(models.Model):
    """A shared list of terms, so every council's services can be filtered alike."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)

    objects = NaturalKeyManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ServiceType(Vocabulary):
    """A CQC service type, such as "Domiciliary care service"."""

    type_of_care = models.ForeignKey(
        TypeOfCare,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cqc_service_types",
        help_text=(
            "The portal's type of care this CQC service type counts under, so the "
            "directory and quality figures line up with tenders and intentions."
        ),
    )

    class Meta(Vocabulary.Meta):
        verbose_name = "service type"


class Specialism(Vocabulary):
    """A CQC specialism or client group, such as "Dementia"."""

    class Meta(Vocabulary.Meta):
        verbose_name = "specialism or client group"
        verbose_name_plural = "specialisms and client groups"


class Provider(models.Model):
    """The organisation that runs one or more care services."""

    name = models.CharField(max_length=250)
    cqc_provider_id = models.CharField(
        "CQC provider ID",
        max_length=20,
        blank=True,
        help_text="From CQC's register, for example 1-101641521. Blank if not "
        "registered.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cqc_provider_id"],
                condition=~Q(cqc_provider_id=""),
                name="unique_cqc_provider_id",
            )
        ]

    def __str__(self):
        return self.name


class Rating(models.TextChoices):
    """CQC's overall ratings, best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", "Insufficient evidence to rate"
    NOT_RATED = "not_rated", "Not rated"


# Ratings that count as a judgement, and the ones counted as "good or outstanding".
JUDGED_RATINGS = [
    Rating.OUTSTANDING,
    Rating.GOOD,
    Rating.REQUIRES_IMPROVEMENT,
    Rating.INADEQUATE,
]
GOOD_RATINGS = [Rating.OUTSTANDING, Rating.GOOD]
# The counts behind a figure; distinct, as a service with two service types of one
# type of care is joined twice.
RATED_COUNTS = {
    "good": Count("pk", distinct=True, filter=Q(rating__in=GOOD_RATINGS)),
    "judged": Count("pk", distinct=True),
}

# CQC's five key questions, as (field name, CQC's word in the ratings file's Domain).
KEY_QUESTIONS = [
    ("safe_rating", "Safe"),
    ("effective_rating", "Effective"),
    ("caring_rating", "Caring"),
    ("responsive_rating", "Responsive"),
    ("well_led_rating", "Well-led"),
]


# When a service was last rated, a service never rated counting as rated on the
# earliest date there is: "most recently rated" puts those last with an order an
# index can hold on SQLite too, which cannot index NULLS LAST.
RATED_ON = Coalesce("rating_published_on", Value(datetime.date.min))


class CareServiceQuerySet(CouncilOwnedQuerySet):
    def public(self):
        """Services shown in the public directory, with what the list shows."""
        return self.select_related("council", "provider").prefetch_related(
            "service_types", "specialisms"
        )

    def most_recently_rated_first(self):
        """Newest rating first, then by name; services never rated last (an index
        range, ``careservice_rated_order_idx``, not a sort of every service)."""
        return self.order_by(RATED_ON.desc(), "name", "pk")

    def care_homes(self):
        return self.filter(care_home=True)

    def community_based(self):
        return self.filter(care_home=False)

    def cqc_registered(self):
        """Services on CQC's register: with a location ID and not deregistered."""
        return self.exclude(cqc_location_id="").filter(deregistered_on__isnull=True)

    def counted(self):
        """The services a "rated good or outstanding" figure counts: CQC-registered,
        not demo data, rated Outstanding, Good, Requires improvement or Inadequate."""
        return self.cqc_registered().filter(is_demo=False, rating__in=JUDGED_RATINGS)

    def in_postcode_district(self, district: str):
        """Services whose postcode is in the district, e.g. DH1 (not DH10)."""
        district = district.strip().upper()
        return self.filter(
            Q(postcode__iexact=district) | Q(postcode__istartswith=f"{district} ")
        )

    def good_or_outstanding_by_council(self, *, type_of_care=None) -> dict:
        """{council pk: (rated good or outstanding, rated)} over the counted
        services (see ``counted``), for one type of care if given. One query."""
        queryset = self.counted()
        if type_of_care is not None:
            queryset = queryset.filter(service_types__type_of_care=type_of_care)
        return {
            row["council_id"]: (row["good"], row["judged"])
            for row in queryset.order_by().values("council_id").annotate(**RATED_COUNTS)
        }

    def for_type_of_care(self, type_of_care):
        """Services with a CQC service type that counts under this type of care."""
        return self.filter(
            pk__in=CareService.objects.filter(
                service_types__type_of_care=type_of_care
            ).values("pk")
        )

    def rating_summary(self) -> dict:
        """Counts behind a "rated good or outstanding" figure, demo rows left out.

        ``judged`` counts CQC-registered services rated Outstanding, Good, Requires
        improvement or Inadequate (Not rated and unrated services are left out of
        the denominator); ``good`` counts those rated Outstanding or Good;
        ``latest`` is the newest rating publication date among them.
        """
        return self.counted().aggregate(
            judged=Count("pk"),
            good=Count("pk", filter=Q(rating__in=GOOD_RATINGS)),
            latest=Max("rating_published_on"),
        )


class CqcImportQuerySet(models.QuerySet):
    def imported(self):
        """Runs that imported their file (refused runs imported nothing)."""
        return self.filter(outcome=CqcImport.Outcome.IMPORTED)

    def ratings(self):
        """Runs of the two ratings files (which give England's counts)."""
        return self.filter(
            kind__in=[CqcImport.Kind.ACTIVE_LOCATIONS, CqcImport.Kind.LATEST_RATINGS]
        )

    def newest(self):
        """The imported run of the most recently produced file, or None."""
        return self.imported().order_by("-produced_on", "-imported_at", "-pk").first()


class CareService(models.Model):
    """A place or service where care is given: a CQC location, or an unregulated one."""

    class ExtraCareType(models.TextChoices):
        GENERAL = "general", "General extra care"
        DEMENTIA = "dementia", "Dementia extra care"

    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="care_services",
        help_text="The council area the service is in (CQC's 'Local authority').",
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        help_text="Who runs it. Leave blank if not known.",
    )
    name = models.CharField(max_length=250)
    also_known_as = models.CharField(max_length=250, blank=True)
    cqc_location_id = models.CharField(
        "CQC location ID",
        max_length=20,
        blank=True,
        help_text=(
            "From CQC's register, for example 1-1000210669. Blank for services CQC "
            "does not regulate. The directory import updates services by this ID."
        ),
    )
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True, max_length=300)
    cqc_url = models.URLField("CQC page", blank=True, max_length=300)
    service_types = models.ManyToManyField(
        ServiceType, blank=True, related_name="services"
    )
    specialisms = models.ManyToManyField(
        Specialism,
        blank=True,
        related_name="services",
        verbose_name="specialisms and client groups",
    )
    care_home = models.BooleanField(
        default=False,
        help_text="Tick for a care home (with or without nursing); untick for "
        "community-based services such as home care or supported living.",
    )
    beds = models.PositiveIntegerField(
        "number of beds", null=True, blank=True, help_text="Care homes only."
    )
    extra_care_type = models.CharField(
        max_length=20,
        choices=ExtraCareType,
        blank=True,
        help_text="For extra care housing: general, or for people living with "
        "dementia.",
    )
    rating = models.CharField(
        "CQC overall rating",
        max_length=30,
        choices=Rating,
        blank=True,
        help_text="Leave blank for services CQC does not regulate.",
    )
    rating_published_on = models.DateField(
        "rating published on",
        null=True,
        blank=True,
        help_text="The date CQC published the current overall rating.",
    )
    rating_inherited = models.BooleanField(
        "rating inherited",
        default=False,
        help_text="CQC carried the rating over from the service's previous "
        "registration (for example after a change of provider).",
    )
    safe_rating = models.CharField("Safe", max_length=30, choices=Rating, blank=True)
    effective_rating = models.CharField(
        "Effective", max_length=30, choices=Rating, blank=True
    )
    caring_rating = models.CharField(
        "Caring", max_length=30, choices=Rating, blank=True
    )
    responsive_rating = models.CharField(
        "Responsive", max_length=30, choices=Rating, blank=True
    )
    well_led_rating = models.CharField(
        "Well-led", max_length=30, choices=Rating, blank=True
    )
    deregistered_on = models.DateField(
        "left CQC's register on",
        null=True,
        blank=True,
        help_text="Set by the CQC import when the service is no longer in CQC's "
        "register (the date the file was produced). The service is kept.",
    )
    latest_check_on = models.DateField(
        "date of latest CQC check",
        null=True,
        blank=True,
        help_text="From CQC's care directory.",
    )
    council_contracted = models.BooleanField(
        "contracted or accredited by the council",
        default=False,
        help_text="Tick if the council contracts with or accredits this service.",
    )
    council_run = models.BooleanField(
        "run by the council", default=False, help_text="A council-run service."
    )
    is_demo = models.BooleanField(
        "demo data",
        default=False,
        help_text="Made up for demonstrating the portal; shown with a 'Demo data' "
        "label and never counted in computed CQC figures.",
    )
    imported_at = models.DateTimeField(
        "last imported from CQC", null=True, blank=True, editable=False
    )
    rating_recorded_at = models.DateTimeField(
        "rating recorded on the portal",
        null=True,
        blank=True,
        editable=False,
        help_text="When the portal recorded the current overall rating (imported "
        "or entered), which may be days after CQC published it: rating alerts go "
        "by this.",
    )

    objects = CareServiceQuerySet.as_manager()

    council_path = "council"

    # The overall rating and its date as read from the database (None when not
    # read); a service not saved yet has none.
    _rating_as_loaded = ("", None)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "care service"
        constraints = [
            models.UniqueConstraint(
                fields=["cqc_location_id"],
                condition=~Q(cqc_location_id=""),
                name="unique_cqc_location_id",
            ),
            models.CheckConstraint(
                condition=Q(rating_published_on__isnull=True) | ~Q(rating=""),
                name="rating_date_needs_a_rating",
            ),
            models.CheckConstraint(
                condition=Q(cqc_location_id="") | Q(is_demo=False),
                name="demo_services_have_no_cqc_id",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "name"], name="careservice_council_idx"),
            # The directory's default order: a page is an index range, not a
            # sort of every service.
            models.Index(fields=["name", "id"], name="careservice_name_order_idx"),
            # The newest rating, when no CQC ratings file has been imported
            # (quality.figures.figure_source, on every council page).
            models.Index(
                fields=["rating_published_on"], name="careservice_rating_pub_idx"
            ),
            # The directory's "most recently rated" order.
            models.Index(
                RATED_ON.desc(), "name", "id", name="careservice_rated_order_idx"
            ),
            models.Index(fields=["rating"], name="careservice_rating_idx"),
            models.Index(fields=["care_home"], name="careservice_carehome_idx"),
            # Rating alerts pick a day's or week's newly recorded ratings.
            models.Index(
                fields=["rating_recorded_at"], name="careservice_rating_rec_idx"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Saved with a new overall rating (entered, not imported: the import
        writes in bulk and stamps its own), it records when."""
        loaded = self._rating_as_loaded
        rating = None if loaded is None else (self.rating, self.rating_published_on)
        if rating is not None and rating[0] and rating != loaded:
            self.rating_recorded_at = clock.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "rating_recorded_at",
                }
        super().save(*args, **kwargs)
        self._rating_as_loaded = rating

    def get_absolute_url(self):
        return address("providers:service-detail", pk=self.pk)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        service = super().from_db(db, field_names, values, **kwargs)
        loaded = "rating" in field_names and "rating_published_on" in field_names
        service._rating_as_loaded = (
            (service.rating, service.rating_published_on) if loaded else None
        )
        return service

    @property
    def regulated_by_cqc(self) -> bool:
        """Whether CQC registers this kind of service: it has a CQC location ID, is
        a care home, or provides one of CQC's service types (home care, supported
        living, Shared Lives, extra care). Uses prefetched service types."""
        return bool(self.cqc_location_id or self.care_home or self.service_types.all())

    @property
    def key_question_ratings(self) -> list[tuple[str, str]]:
        """(key question, rating label) for the key questions CQC has rated."""
        return [
            (question, Rating(getattr(self, name)).label)
            for name, question in KEY_QUESTIONS
            if getattr(self, name)
        ]

    @property
    def group_rating_table(self) -> list[tuple[str, list[str]]]:
        """(service or population group, rating label per key question in CQC's
        order: Overall, Safe, Effective, Caring, Responsive, Well-led) for the
        groups CQC rates separately here. Uses prefetched group_ratings."""
        by_group: dict[str, dict[str, str]] = {}
        for rating in self.group_ratings.all():
            by_group.setdefault(rating.group, {})[rating.key_question] = (
                rating.get_rating_display()
            )
        return [
            (group, [ratings.get(q, "") for q in KeyQuestion.values])
            for group, ratings in sorted(by_group.items())
        ]

    @property
    def previous_rating(self):
        """The newest past rating that differs from the current one, if any."""
        for past in self.past_ratings.all():
            if past.rating != self.rating:
                return past
        return None


class PastRating(models.Model):
    """A CQC overall rating a service had before its current one."""

    service = models.ForeignKey(
        CareService, on_delete=models.CASCADE, related_name="past_ratings"
    )
    rating = models.CharField("CQC overall rating", max_length=30, choices=Rating)
    published_on = models.DateField("rating published on", null=True, blank=True)
    replaced_on = models.DateField(
        "replaced on",
        help_text="The date of the CQC file that first showed the newer rating.",
    )

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "service__council"

    class Meta:
        ordering = ["service", "-replaced_on", "-pk"]
        verbose_name = "past CQC rating"
        indexes = [
            models.Index(
                fields=["service", "-replaced_on"], name="pastrating_service_idx"
            )
        ]

    def __str__(self):
        return f"{self.service}: {self.get_rating_display()}"


class KeyQuestion(models.TextChoices):
    """The ``Domain`` of CQC's latest ratings file, in CQC's order."""

    OVERALL = "overall", "Overall"
    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    CARING = "caring", "Caring"
    RESPONSIVE = "responsive", "Responsive"
    WELL_LED = "well_led", "Well-led"


class GroupRating(models.Model):
    """CQC's rating of one service or population group at a location, for one key
    question: the latest ratings file's rows whose ``Service / Population Group``
    is not Overall (the location's own ratings are on the care service)."""

    service = models.ForeignKey(
        CareService, on_delete=models.CASCADE, related_name="group_ratings"
    )
    group = models.CharField(
        "service or population group",
        max_length=200,
        help_text="As CQC names it, for example 'Homecare services'.",
    )
    key_question = models.CharField(max_length=20, choices=KeyQuestion)
    rating = models.CharField("CQC rating", max_length=30, choices=Rating)
    published_on = models.DateField("rating published on", null=True, blank=True)

    objects = CouncilOwnedQuerySet.as_manager()

    council_path = "service__council"

    class Meta:
        ordering = ["service", "group", "pk"]
        verbose_name = "CQC rating of a service or population group"
        verbose_name_plural = "CQC ratings of services and population groups"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "group", "key_question"],
                name="unique_group_rating",
            )
        ]

    def __str__(self):
        return f"{self.service}: {self.group}, {self.get_key_question_display()}"


class CqcImport(models.Model):
    """One run of a CQC file import, refused or not: what it did, or why it was
    refused, and the file's date."""

    class Kind(models.TextChoices):
        DIRECTORY = "directory", "Care directory (CSV)"
        ACTIVE_LOCATIONS = "active_locations", "Care directory with filters"
        LATEST_RATINGS = "latest_ratings", "Latest ratings"

    class Outcome(models.TextChoices):
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused: nothing imported"

    kind = models.CharField(
        max_length=20,
        choices=Kind,
        blank=True,
        help_text="Blank when the file was refused as not one of CQC's files.",
    )
    file_name = models.CharField(max_length=255)
    outcome = models.CharField(max_length=20, choices=Outcome, default=Outcome.IMPORTED)
    preview = models.BooleanField(
        "refused at preview",
        default=False,
        help_text="The file was refused when previewed (in the admin, or with "
        "--dry-run), before anyone asked to import it.",
    )
    problems = models.JSONField(
        default=list,
        blank=True,
        help_text="Why the file was refused: each problem's row, column and reason.",
    )
    produced_on = models.DateField(
        "file produced on",
        null=True,
        blank=True,
        help_text="The date CQC produced the file (blank if a refused file did not "
        "say).",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when run from the command line.",
    )
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deregistered = models.PositiveIntegerField(default=0)
    outside_regions = models.PositiveIntegerField(
        "skipped: outside the portal's regions", default=0
    )
    not_social_care = models.PositiveIntegerField(
        "skipped: not adult social care", default=0
    )
    england = models.JSONField(
        "England counts",
        default=dict,
        blank=True,
        help_text="Ratings files only: counts behind England's figures, from every "
        "row of the file (the portal keeps only its regions' services).",
    )

    objects = CqcImportQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "CQC file import"
        indexes = [
            models.Index(fields=["kind", "-produced_on"], name="cqcimport_kind_idx"),
            models.Index(fields=["outcome"], name="cqcimport_outcome_idx"),
        ]

    def __str__(self):
        kind = self.get_kind_display() or self.file_name
        if self.outcome == self.Outcome.REFUSED:
            return f"{kind}: refused"
        return f"{kind} produced on {self.produced_on:%d %B %Y}"
