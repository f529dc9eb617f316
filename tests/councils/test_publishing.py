"""Working copies, publishing, scheduling, review, change notes and archive,
through the admin and the public pages."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from councils import clock
from councils.migration_operations import fill_replaced_at
from councils.models import EditorialState, Publication, Section
from councils.publishing import archive, publish, working_copy_save
from tests.conftest import login_with_second_factor
from tests.factories import SectionFactory, TenderFactory, make_commissioner

pytestmark = pytest.mark.django_db


def admin_url(view, section, *args):
    return reverse(f"admin:councils_section_{view}", args=[section.pk, *args])


def edit(client, section, body, **extra):
    """Save a new body through the admin change form, as an editor would."""
    section.refresh_from_db()
    data = {
        "council": section.council_id,
        "heading": section.heading_id,
        "status": section.status,
        "body": body,
        "review_by": "",
        "lock_version": section.lock_version,
        **extra,
    }
    return client.post(admin_url("change", section), data)


def publish_in_admin(client, section, **data):
    data = {"action": "publish", "change_type": "major", **data}
    return client.post(admin_url("publish", section), data)


def test_editing_a_published_section_keeps_the_live_page(gateshead_client, gateshead):
    section = SectionFactory(council=gateshead, body="Live words.")

    response = edit(gateshead_client, section, "Working words.")

    assert response.status_code == 302
    page = gateshead_client.get(section.get_absolute_url()).text
    assert "Live words." in page
    assert "Working words." not in page
    section.refresh_from_db()
    assert section.editorial_state == EditorialState.DRAFT


def test_publishing_the_working_copy_puts_it_live_with_its_note(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead, body="Live words.")
    edit(gateshead_client, section, "Home care plans for 2026/27.")

    response = publish_in_admin(
        gateshead_client, section, note="Updated home care intentions for 2026/27"
    )

    assert response.status_code == 302
    page = gateshead_client.get(section.get_absolute_url()).text
    assert "Home care plans for 2026/27." in page
    assert "Updated home care intentions for 2026/27" in page
    assert "Live words." not in page


def test_a_major_change_needs_a_note_and_nothing_is_published_without_it(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead, body="Live words.")
    edit(gateshead_client, section, "New words.")

    response = publish_in_admin(gateshead_client, section, note="")

    assert response.status_code == 200
    assert "Write a one-line note" in response.text
    assert "Live words." in gateshead_client.get(section.get_absolute_url()).text


def test_a_minor_change_keeps_last_updated_and_stays_out_of_the_change_log(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead, body="Live wrods.")
    live = Section.live.get(live_of=section)
    edit(gateshead_client, section, "Live words.")

    publish_in_admin(gateshead_client, section, change_type="minor")

    now_live = Section.live.get(live_of=section)
    assert now_live.body == "Live words."
    assert now_live.content_updated_at == live.content_updated_at
    assert (
        not Publication.objects.public()
        .filter(major=True, note="")
        .exclude(note="First published.")
    )
    log = gateshead_client.get(reverse("councils:change-list")).text
    assert log.count("See what changed") == 1  # the first publication only


def test_publishing_with_nothing_changed_is_refused(gateshead_client, gateshead):
    section = SectionFactory(council=gateshead)

    response = publish_in_admin(gateshead_client, section, note="Nothing really")

    assert "Nothing has changed since the published version." in response.text
    assert Publication.objects.for_object(section).count() == 1


def test_archive_and_publish_again_do_not_move_last_updated(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead)
    updated = Section.live.get(live_of=section).content_updated_at

    gateshead_client.post(admin_url("archive", section))
    assert gateshead_client.get(section.get_absolute_url()).status_code == 404
    publish_in_admin(gateshead_client, section, change_type="minor")

    assert Section.live.get(live_of=section).content_updated_at == updated


def test_scheduled_version_goes_live_at_its_time_without_any_job(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead, body="Live words.")
    Section._base_manager.filter(live_of=section).update(
        publish_at=clock.now() - datetime.timedelta(days=2)
    )
    section.body = "Scheduled words."
    working_copy_save(obj=section, user=None)
    later = clock.now() + datetime.timedelta(days=30)
    publish(obj=section, user=None, major=True, note="New plans", publish_at=later)

    assert "Live words." in gateshead_client.get(section.get_absolute_url()).text
    assert not Publication.objects.public().filter(note="New plans").exists()

    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        page = gateshead_client.get(section.get_absolute_url()).text
        changes = gateshead_client.get(reverse("councils:change-list")).text
    assert "Scheduled words." in page
    assert "Live words." not in page
    assert "New plans" in changes


def test_a_scheduled_version_goes_live_when_the_clock_passes_its_time(
    gateshead_client, gateshead
):
    # The live query compares with the portal's clock (councils.clock), not the
    # database's: moving the clock alone must publish it.
    section = SectionFactory(council=gateshead, body="Live words.")
    section.body = "Scheduled words."
    working_copy_save(obj=section, user=None)
    publish(
        obj=section,
        user=None,
        major=True,
        note="New plans",
        publish_at=clock.now() + datetime.timedelta(days=3),
    )
    assert "Live words." in gateshead_client.get(section.get_absolute_url()).text

    with time_machine.travel(clock.now() + datetime.timedelta(days=4)):
        assert Section.live.get(live_of=section).body == "Scheduled words."
        page = gateshead_client.get(section.get_absolute_url()).text
        changes = gateshead_client.get(reverse("councils:change-list")).text
    assert "Scheduled words." in page
    assert "New plans" in changes


def test_scheduled_first_publication_is_on_no_page_before_its_time(client, gateshead):
    section = SectionFactory(council=gateshead, published=False, body="Future text")
    publish(
        obj=section,
        user=None,
        major=True,
        publish_at=clock.now() + datetime.timedelta(days=3),
    )

    assert client.get(section.get_absolute_url()).status_code == 404
    assert "Future text" not in client.get(gateshead.get_absolute_url()).text
    assert section.heading.name not in client.get(reverse("home")).text


def test_scheduling_in_the_past_is_refused(gateshead_client, gateshead):
    section = SectionFactory(council=gateshead, body="Live words.")
    edit(gateshead_client, section, "New words.")

    response = publish_in_admin(
        gateshead_client, section, note="Late", publish_at="2020-01-01T09:00"
    )

    assert "That time has passed" in response.text
    assert "Live words." in gateshead_client.get(section.get_absolute_url()).text


@pytest.fixture
def reviewing_council(gateshead):
    gateshead.requires_review = True
    gateshead.save()
    return gateshead


def test_where_review_is_required_an_editor_submits_and_cannot_publish(
    gateshead_client, reviewing_council
):
    section = SectionFactory(council=reviewing_council, body="Live words.")
    edit(gateshead_client, section, "New words.")

    refused = publish_in_admin(gateshead_client, section, note="Mine")
    assert "reviews changes before they are published" in refused.text

    gateshead_client.post(admin_url("publish", section), {"action": "submit"})
    section.refresh_from_db()
    assert section.editorial_state == EditorialState.SUBMITTED
    assert "Live words." in gateshead_client.get(section.get_absolute_url()).text


def test_an_approver_cannot_approve_their_own_submission(client, reviewing_council):
    approver = make_commissioner(reviewing_council)
    reviewing_council.approvers.add(approver)
    client.force_login(approver)
    section = SectionFactory(council=reviewing_council, body="Live words.")
    edit(client, section, "New words.")
    client.post(admin_url("publish", section), {"action": "submit"})

    response = publish_in_admin(client, section, note="My own")

    assert "You submitted these changes" in response.text
    assert "Live words." in client.get(section.get_absolute_url()).text


def test_another_approver_publishes_or_returns_with_a_comment(
    client, gateshead_commissioner, reviewing_council
):
    approver = make_commissioner(reviewing_council)
    reviewing_council.approvers.add(approver)
    section = SectionFactory(council=reviewing_council, body="Live words.")
    client.force_login(gateshead_commissioner)
    edit(client, section, "New words.")
    client.post(admin_url("publish", section), {"action": "submit"})

    client.force_login(approver)
    client.post(
        admin_url("publish", section),
        {"action": "return", "comment": "Add the 2026 figures."},
    )
    section.refresh_from_db()
    assert section.editorial_state == EditorialState.DRAFT
    assert section.review_comment == "Add the 2026 figures."

    client.force_login(gateshead_commissioner)
    edit(client, section, "New words with 2026 figures.")
    client.post(admin_url("publish", section), {"action": "submit"})
    client.force_login(approver)
    publish_in_admin(client, section, note="Added 2026 figures")

    assert "2026 figures." in client.get(section.get_absolute_url()).text
    change = Publication.objects.for_object(section).first()
    assert (change.published_by, change.submitted_by) == (
        approver,
        gateshead_commissioner,
    )


def test_an_approver_for_another_council_cannot_approve_here(
    client, reviewing_council, darlington
):
    outsider = make_commissioner(reviewing_council, darlington)
    darlington.approvers.add(outsider)
    section = SectionFactory(council=reviewing_council, body="Live words.")
    section.body = "New words."
    working_copy_save(obj=section, user=None)
    from councils.publishing import submit

    submit(obj=section, user=None)
    client.force_login(outsider)

    response = publish_in_admin(client, section, note="Sneaky")

    assert "Only an approver for Gateshead Council" in response.text


def test_second_save_of_the_same_section_is_refused_with_the_others_change(
    client, gateshead, gateshead_commissioner
):
    colleague = make_commissioner(gateshead)
    section = SectionFactory(council=gateshead, body="Start words.")
    opened_at = section.lock_version
    client.force_login(colleague)
    edit(client, section, "Colleague words.")

    client.force_login(gateshead_commissioner)
    section.refresh_from_db()
    response = client.post(
        admin_url("change", section),
        {
            "council": gateshead.pk,
            "heading": section.heading_id,
            "status": "published",
            "body": "My words.",
            "review_by": "",
            "lock_version": opened_at,
        },
    )

    assert response.status_code == 200
    assert "while you were editing" in response.text
    assert "Colleague" in response.text  # their words, marked against mine
    section.refresh_from_db()
    assert section.body == "Colleague words."


def test_history_compare_and_restore_as_a_new_version(gateshead_client, gateshead):
    section = SectionFactory(council=gateshead, body="First words here.")
    edit(gateshead_client, section, "Second words here.")
    history = gateshead_client.get(admin_url("history", section))
    assert history.status_code == 200
    versions = history.context["rows"]
    newest, oldest = versions[0][0], versions[-1][0]

    compare = gateshead_client.get(
        admin_url("compare", section), {"from": oldest.pk, "to": newest.pk}
    )
    assert "[removed: </span>First" in compare.text
    assert "[added: </span>Second" in compare.text

    gateshead_client.post(admin_url("restore", section, oldest.pk))
    section.refresh_from_db()
    assert section.body == "First words here."
    assert len(gateshead_client.get(admin_url("history", section)).context["rows"]) == (
        len(versions) + 1
    )


def test_commissioners_cannot_delete_published_sections_only_archive(
    gateshead_client, gateshead
):
    section = SectionFactory(council=gateshead)

    response = gateshead_client.post(admin_url("delete", section), {"post": "yes"})

    assert response.status_code == 403
    assert Section.objects.filter(pk=section.pk).exists()


def test_administrators_delete_only_never_published_content(client, portal_admin):
    published = SectionFactory()
    draft = SectionFactory(published=False)
    login_with_second_factor(client, portal_admin)

    client.post(admin_url("delete", published), {"post": "yes"})
    client.post(admin_url("delete", draft), {"post": "yes"})

    assert Section.objects.filter(pk=published.pk).exists()
    assert not Section.objects.filter(pk=draft.pk).exists()


def test_section_past_its_review_date_tells_readers(client, gateshead):
    section = SectionFactory(council=gateshead)
    Section._base_manager.filter(live_of=section).update(
        review_by=datetime.date(2000, 1, 1)
    )
    assert (
        "This section is due for review" in client.get(section.get_absolute_url()).text
    )


def test_review_by_defaults_to_twelve_months_after_publishing(gateshead):
    section = SectionFactory(council=gateshead, published=False)
    when = clock.now() + datetime.timedelta(days=1)
    publish(obj=section, user=None, major=True, publish_at=when)
    assert section.review_by == timezone.localtime(when).date().replace(
        year=timezone.localtime(when).year + 1
    )


def test_mps_says_which_period_it_covers_and_when_it_has_ended(client, gateshead):
    gateshead.mps_period_start = datetime.date(2023, 4, 1)
    gateshead.mps_period_end = datetime.date(2025, 3, 31)
    gateshead.save()

    page = client.get(gateshead.get_absolute_url()).text

    assert "covers" in page and "1 April 2023" in page and "31 March 2025" in page
    assert "The period this statement covers ended on 31 March 2025" in page


def test_long_section_lists_its_headings_on_this_page(client, gateshead):
    section = SectionFactory(
        council=gateshead,
        body="## Home care\n\nText.\n\n## Care homes\n\nMore.\n\n<b>not bold</b>",
    )
    page = client.get(section.get_absolute_url()).text
    assert "On this page" in page
    assert '<a class="govuk-link" href="#h-home-care">Home care</a>' in page
    assert 'id="h-care-homes"' in page
    # HTML typed into the text is shown as text, not run and not dropped.
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


def test_body_help_text_says_html_is_shown_as_text():
    help_text = Section._meta.get_field("body").help_text
    assert "shown as plain text" in help_text
    assert "removed" not in help_text


def test_dashboard_lists_the_commissioners_content_by_state(
    gateshead_client, gateshead, darlington
):
    draft = SectionFactory(council=gateshead, published=False)
    due = SectionFactory(council=gateshead)
    Section._base_manager.filter(live_of=due).update(
        review_by=datetime.date(2000, 1, 1)
    )
    theirs = SectionFactory(council=darlington, published=False)

    page = gateshead_client.get(reverse("admin:index")).text

    assert str(draft) in page
    assert "Due for review (1)" in page
    assert str(theirs) not in page
    assert "Recent tender imports" in page


def live_by_definition(model, now) -> set[int]:
    """The live copies readers should see at ``now``, worked out from every copy's
    publish time (the old query): due, and no later copy of the same item due."""
    later = model._base_manager.filter(
        live_of=OuterRef("live_of"),
        publish_at__lte=now,
        publish_at__gt=OuterRef("publish_at"),
    )
    return set(
        model._base_manager.filter(live_of__isnull=False, publish_at__lte=now)
        .exclude(Exists(later))
        .values_list("pk", flat=True)
    )


def assert_replacement_times_stored(model) -> None:
    copies = model.objects.every_copy().filter(live_of__isnull=False)
    stored = dict(copies.values_list("pk", "replaced_at"))
    assert stored == dict(copies.with_next_copy_at().values_list("pk", "next_copy_at"))


@pytest.mark.parametrize("factory", [SectionFactory, TenderFactory])
def test_each_copy_is_live_until_the_next_one_publishing_left_is_due(
    gateshead, factory
):
    start = clock.now()
    day = datetime.timedelta(days=1)
    item = factory(council=gateshead)
    model = type(item)

    words = iter(range(100))
    field = "body" if model is Section else "title"

    def change(publish_at=None):
        item.refresh_from_db()
        setattr(item, field, f"Version {next(words)}")
        working_copy_save(obj=item, user=None)
        publish(obj=item, user=None, major=True, note="Changed", publish_at=publish_at)

    change(start + 10 * day)
    change(start + 5 * day)  # replaces the change scheduled for day 10
    with time_machine.travel(start + 6 * day):
        change()  # replaces the copy that went live on day 5
        change(start + 20 * day)
        change(start + 30 * day)  # replaces the change scheduled for day 20

    assert_replacement_times_stored(model)
    # Publishing keeps only the copy readers see and the one to come.
    shown = {0: [], 5.5: [], 6.5: ["Version 2"], 21: ["Version 2"], 31: ["Version 4"]}
    for days, expected in shown.items():
        now = start + days * day
        live = model.objects.every_copy().live(now)
        assert set(live.values_list("pk", flat=True)) == (
            live_by_definition(model, now)
        ), f"day {days}"
        assert list(live.values_list(field, flat=True)) == expected, f"day {days}"

    # A new copy due now replaces the one readers saw; an archived item has none.
    archive(obj=item, user=None)
    assert not model._base_manager.filter(live_of=item).exists()


def test_the_migration_stores_each_live_copys_replacement_time(gateshead):
    section = SectionFactory(council=gateshead)
    section.body = "Next year's plans."
    working_copy_save(obj=section, user=None)
    publish(
        obj=section,
        user=None,
        major=True,
        note="Next year",
        publish_at=clock.now() + datetime.timedelta(days=365),
    )
    copies = Section._base_manager.filter(live_of=section)
    assert copies.exclude(replaced_at=None).count() == 1
    copies.update(replaced_at=None)

    # What migrations councils 0016 and tenders 0014 run.
    fill_replaced_at("councils.Section")(apps, None)

    assert copies.exclude(replaced_at=None).count() == 1
    assert_replacement_times_stored(Section)
