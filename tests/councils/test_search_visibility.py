"""The times kept on search documents say exactly what each kind's own "live"
query says, at every moment: checked for every registered kind, through
publishing, scheduling, replacing, withdrawing and deleting, with the clock moved
past each scheduled time. Runs on SQLite and PostgreSQL."""

import datetime

import pytest
import time_machine

from councils import clock, search
from councils.publishing import archive, publish, working_copy_save
from tenders.models import Tender
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    CommissioningIntentionFactory,
    IndicatorFactory,
    SectionFactory,
    TenderFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
FACTORIES = {
    "section": lambda council, **kw: SectionFactory(council=council, **kw),
    "intention": lambda council, **kw: CommissioningIntentionFactory(
        council=council, **kw
    ),
    "tender": lambda council, **kw: TenderFactory(council=council, **kw),
    "arrangement": lambda council, **kw: ArrangementFactory(council=council, **kw),
}
# A text field of each, to edit.
TEXT = {
    "section": "body",
    "intention": "summary",
    "tender": "title",
    "arrangement": "name",
}


def edit(obj, key: str, text: str) -> None:
    setattr(obj, TEXT[key], text)
    working_copy_save(obj=obj, user=None)


def assert_documents_agree_with_the_sources() -> None:
    for kind in search.kinds():
        shown = set(
            search.visible_documents()
            .filter(kind=kind.key)
            .values_list("object_id", flat=True)
        )
        expected = set(kind.visible().values_list("pk", flat=True))
        assert shown == expected, f"{kind.key} at {clock.now()}"


def test_every_kind_of_page_is_registered_with_a_scenario_or_always_shown():
    timed = {kind.key for kind in search.kinds() if kind.family}
    assert timed == set(FACTORIES)


@pytest.mark.parametrize("key", sorted(FACTORIES))
def test_documents_are_shown_exactly_when_their_pages_are(key, gateshead):
    make = FACTORIES[key]
    now = clock.now()
    # Live now, with an edit scheduled in two days' time.
    edited = make(gateshead)
    edit(edited, key, "Edited text")
    publish(obj=edited, user=None, major=True, note="Later", publish_at=now + 2 * DAY)
    # First published tomorrow.
    make(gateshead, published=now + DAY)
    # Scheduled, then the schedule replaced by a later one.
    moved = make(gateshead, published=now + DAY)
    edit(moved, key, "Moved text")
    publish(obj=moved, user=None, major=True, note="Moved", publish_at=now + 3 * DAY)
    # Live, then taken down.
    archived = make(gateshead)
    archive(obj=type(archived).objects.get(pk=archived.pk), user=None)
    # Never published.
    make(gateshead, published=False)
    TypeOfCareFactory()
    IndicatorFactory()
    CareServiceFactory(council=gateshead)

    for moment in [0, 0.5, 1, 1.5, 2, 2.5, 3, 4]:
        with time_machine.travel(now + moment * DAY + datetime.timedelta(seconds=1)):
            assert_documents_agree_with_the_sources()


def test_a_withdrawn_tender_and_a_deleted_schedule_are_followed(gateshead):
    now = clock.now()
    tender = TenderFactory(council=gateshead, title="Respite beds")
    tender.status = Tender.Status.WITHDRAWN
    working_copy_save(obj=tender, user=None)
    publish(obj=tender, user=None, major=True, note="Withdrawn", publish_at=now + DAY)
    assert_documents_agree_with_the_sources()
    with time_machine.travel(now + 2 * DAY):
        assert_documents_agree_with_the_sources()
    # The scheduled withdrawal is deleted: the live copy is shown for good again.
    Tender._base_manager.filter(live_of=tender, publish_at=now + DAY).delete()
    # As publishing does whenever it deletes live copies.
    Tender.objects.every_copy().filter(live_of=tender).set_replaced_at()
    with time_machine.travel(now + 2 * DAY):
        assert_documents_agree_with_the_sources()
        assert search.visible_documents().filter(kind="tender").count() == 1
