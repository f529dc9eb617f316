"""Factories for test data: each makes a valid row with the fewest choices."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from councils import clock
from councils.models import (
    Contact,
    Council,
    Heading,
    ProviderForum,
    Region,
    Section,
    TypeOfCare,
)
from councils.scoping import COMMISSIONERS_GROUP
from tenders.models import (
    ClientGroup,
    CpvCode,
    ImportRecord,
    Tender,
    TenderPipeline,
)


def future_year(ahead: int = 4) -> int:
    """A year safely after today (councils.clock.today), for planned tenders."""
    return clock.today().year + ahead


def many_to_many(name):
    """A post-generation hook: ``Factory(name=[a, b])`` sets the relation."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, name).set(extracted)

    return factory.PostGeneration(set_related)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = "North East"
    slug = "north-east"
    gss_code = "E12000001"


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    # Codes from E06900000 up, so they never clash with a real council's.
    gss_code = factory.Sequence(lambda n: f"E06{900000 + n:06d}")
    commissioning_email = "commissioning@example.org"


class HeadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heading

    name = factory.Sequence(lambda n: f"Heading {n}")
    slug = factory.Sequence(lambda n: f"heading-{n}")
    position = factory.Sequence(lambda n: n)


def publish_unless_told_not_to(obj, create, extracted, **kwargs):
    """A post-generation hook: published now unless ``published=False``; a
    datetime (``published=next_week``) schedules it for then."""
    if create and extracted is not False:
        from councils.publishing import publish

        publish_at = extracted if isinstance(extracted, datetime.datetime) else None
        publish(obj=obj, user=None, major=True, publish_at=publish_at)


class SectionFactory(factory.django.DjangoModelFactory):
    """A section, published now unless ``published=False`` (a draft never public)."""

    class Meta:
        model = Section
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    heading = factory.SubFactory(HeadingFactory)
    status = Section.Status.PUBLISHED
    body = "Our vision is to work with our communities."

    published = factory.PostGeneration(publish_unless_told_not_to)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    council = factory.SubFactory(CouncilFactory)
    role = "Commissioning team"
    email = "team@example.org"


class ProviderForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderForum

    council = factory.SubFactory(CouncilFactory)
    name = "Care home providers forum"
    audience = "care home providers"
    how_to_join = "Email the commissioning team."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class TypeOfCareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TypeOfCare
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Type of care {n}")
    slug = factory.Sequence(lambda n: f"type-of-care-{n}")


class ClientGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientGroup
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class CpvCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CpvCode
        django_get_or_create = ["code"]

    code = "85311100"
    description = "Welfare services for the elderly"


class TenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tender
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    title = factory.Sequence(lambda n: f"Home care contract {n}")
    service_area = "Commissioning - Adult Social Care"
    procurement_activity = factory.LazyFunction(lambda: f"Autumn {future_year()}")
    commencement = factory.LazyFunction(lambda: f"April {future_year() + 1}")
    status = Tender.Status.PLANNED

    types_of_care = many_to_many("types_of_care")
    client_groups = many_to_many("client_groups")
    cpv_codes = many_to_many("cpv_codes")
    # Declared after the categories, so the live copy gets them.
    published = factory.PostGeneration(publish_unless_told_not_to)


class TenderPipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenderPipeline

    council = factory.SubFactory(CouncilFactory)
    last_updated = datetime.date(2024, 2, 1)
    caveat = "The council reserves the right not to tender for such services."


def make_commissioner(*councils, **kwargs):
    """A staff user in the Commissioners group who belongs to the given councils."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=COMMISSIONERS_GROUP))
    user.councils.set(councils)
    return user


class ImportRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRecord

    council = factory.SubFactory(CouncilFactory)
    file_name = "tenders.csv"
    file_format = "CSV"
    outcome = ImportRecord.Outcome.IMPORTED


# Every council-owned model: a factory that makes a row for a given council.
# The admin scoping tests run over this map and fail for a scoped admin missing here.
COUNCIL_OWNED_FACTORIES = {
    Council: lambda council: council,
    Section: lambda council: SectionFactory(council=council),
    Contact: lambda council: ContactFactory(council=council),
    ProviderForum: lambda council: ProviderForumFactory(council=council),
    Tender: lambda council: TenderFactory(council=council),
    ImportRecord: lambda council: ImportRecordFactory(council=council),
    TenderPipeline: lambda council: TenderPipelineFactory(council=council),
}


# Care services directory and quality figures (providers, quality).
from datetime import date  # noqa: E402

from providers.models import CareService, Provider, ServiceType, Specialism  # noqa: E402
from quality.models import (  # noqa: E402
    Assessment,
    CqcBenchmark,
    QualityFramework,
    ScoreLevel,
    Theme,
    ThemeScore,
)


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType
        django_get_or_create = ["slug"]

    name = "Domiciliary care service"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class SpecialismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialism
        django_get_or_create = ["slug"]

    name = "Dementia"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n} Ltd")


class CareServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareService
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Care service {n}")
    address = "1 High Street"
    postcode = "NE8 1HH"

    service_types = many_to_many("service_types")
    specialisms = many_to_many("specialisms")


class CqcBenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CqcBenchmark

    council = factory.SubFactory(CouncilFactory)
    setting = "care_homes"
    council_percent = "81.6"
    region_percent = "87.4"
    england_percent = "77.8"
    as_at = date(2023, 12, 1)
    source = "CQC ratings, as published in the council's MPS"


class QualityFrameworkFactory(factory.django.DjangoModelFactory):
    """A framework with a 1-3 scale and the given number of themes."""

    class Meta:
        model = QualityFramework
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    amber_from = 13
    green_from = 18
    thresholds_note = "Demo thresholds chosen for testing."

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if not create:
            return
        for score, label in [(1, "Not met"), (2, "Partially met"), (3, "Fully met")]:
            ScoreLevel.objects.create(framework=self, score=score, label=label)
        for number in range(1, (extracted or 5) + 1):
            Theme.objects.create(framework=self, number=number, title=f"Theme {number}")


def make_assessment(framework, service=None, theme_scores=(3, 3, 3, 3, 3), **kwargs):
    """An assessment with a score for each theme, in theme order."""
    service = service or CareServiceFactory(council=framework.council)
    kwargs.setdefault("assessed_on", date(2024, 3, 1))
    kwargs.setdefault("observation_score", 3)
    kwargs.setdefault("consultation_score", 3)
    assessment = Assessment.objects.create(
        framework=framework, service=service, **kwargs
    )
    for theme, score in zip(framework.themes.all(), theme_scores, strict=False):
        ThemeScore.objects.create(assessment=assessment, theme=theme, score=score)
    return assessment


COUNCIL_OWNED_FACTORIES |= {
    CareService: lambda council: CareServiceFactory(council=council),
    CqcBenchmark: lambda council: CqcBenchmarkFactory(council=council),
    QualityFramework: lambda council: QualityFrameworkFactory(council=council),
    Assessment: lambda council: make_assessment(
        QualityFrameworkFactory(council=council)
    ),
}


# Contracting arrangements (tenders).
from tenders.models import Arrangement  # noqa: E402


class ArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrangement
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Home care framework {n}")
    kind = Arrangement.Kind.FRAMEWORK
    joining = Arrangement.Joining.OPEN

    types_of_care = many_to_many("types_of_care")
    client_groups = many_to_many("client_groups")
    # Declared after the categories, so the live copy gets them.
    published = factory.PostGeneration(publish_unless_told_not_to)


COUNCIL_OWNED_FACTORIES |= {
    Arrangement: lambda council: ArrangementFactory(council=council),
}


# The MPS as data: indicators, commissioning intentions (councils) and rates (tenders).
from decimal import Decimal  # noqa: E402

from councils.models import (  # noqa: E402
    CommissioningIntention,
    Indicator,
    IndicatorValue,
)
from tenders.models import Rate  # noqa: E402


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Care home occupancy {n}")
    slug = factory.Sequence(lambda n: f"care-home-occupancy-{n}")
    definition = "Beds filled as a share of registered care home beds."
    topic = Indicator.Topic.SUPPLY
    unit = Indicator.Unit.PERCENT
    frequency = Indicator.Frequency.ANNUAL

    types_of_care = many_to_many("types_of_care")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    area_code = factory.LazyAttribute(lambda o: o.council.gss_code)
    period = "2024"
    value = Decimal("86.0")
    source_name = "Durham County Council, Integrated MPS 2023/25"
    as_at = date(2024, 2, 1)

    class Params:
        council = factory.SubFactory(CouncilFactory)


class CommissioningIntentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissioningIntention
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    type_of_care = factory.SubFactory(
        TypeOfCareFactory, name="Residential care", slug="residential-care"
    )
    direction = CommissioningIntention.Direction.MAINTAIN
    summary = "No general need for more older persons care homes"
    status = CommissioningIntention.Status.PUBLISHED

    sections = many_to_many("sections")
    # Declared after the sections, so the live copy gets them.
    published = factory.PostGeneration(publish_unless_told_not_to)


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate

    council = factory.SubFactory(CouncilFactory)
    type_of_care = factory.SubFactory(
        TypeOfCareFactory, name="Domiciliary care (home care)", slug="domiciliary-care"
    )
    kind = Rate.Kind.UPLIFT
    description = "Rural uplift per visit"
    amount = Decimal("3.00")
    unit = Rate.Unit.VISIT
    source_name = "Durham County Council, Integrated MPS 2023/25"
    as_at = date(2024, 2, 1)


COUNCIL_OWNED_FACTORIES |= {
    IndicatorValue: lambda council: IndicatorValueFactory(council=council),
    CommissioningIntention: lambda council: CommissioningIntentionFactory(
        council=council
    ),
    Rate: lambda council: RateFactory(council=council),
}


# A council's own words for the shared lists, read by its tender imports.
from councils.models import TypeOfCareAlias  # noqa: E402
from tenders.models import ClientGroupAlias  # noqa: E402


class TypeOfCareAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TypeOfCareAlias

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Our words for care {n}")
    type_of_care = factory.SubFactory(TypeOfCareFactory)


class ClientGroupAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientGroupAlias

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Our words for people {n}")
    client_group = factory.SubFactory(ClientGroupFactory)


COUNCIL_OWNED_FACTORIES |= {
    TypeOfCareAlias: lambda council: TypeOfCareAliasFactory(council=council),
    ClientGroupAlias: lambda council: ClientGroupAliasFactory(council=council),
}


# Loads of indicator figures (councils).
from councils.models import IndicatorImport  # noqa: E402


class IndicatorImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorImport
        skip_postgeneration_save = True

    file_name = "figures.csv"
    file_format = "CSV"
    outcome = IndicatorImport.Outcome.IMPORTED

    councils = many_to_many("councils")


COUNCIL_OWNED_FACTORIES |= {
    IndicatorImport: lambda council: IndicatorImportFactory(councils=[council]),
}


# The audit trail (councils.AuditEntry).
from councils.models import AuditEntry  # noqa: E402


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    council = factory.SubFactory(CouncilFactory)
    username = "someone"
    action = AuditEntry.Action.CHANGED
    object_repr = "A section"


COUNCIL_OWNED_FACTORIES |= {
    AuditEntry: lambda council: AuditEntryFactory(council=council),
}
