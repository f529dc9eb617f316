"""Attacks on history, differences, restores, previews and publishing: a Gateshead
commissioner against Darlington's sections, and visitors against anyone's drafts."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils import clock
from councils.models import EditorialState, Section
from councils.publishing import versions_of, working_copy_save
from tests.conftest import login_with_second_factor
from tests.factories import (
    ArrangementFactory,
    SectionFactory,
    TenderFactory,
    make_commissioner,
)

pytestmark = pytest.mark.django_db

SECRET = "Darlington's unpublished plans"
HIDDEN = "Darlington unpublished home care"


def admin_url(view, section, *args):
    return reverse(f"admin:councils_section_{view}", args=[section.pk, *args])


@pytest.fixture
def theirs(darlington):
    section = SectionFactory(council=darlington, body="Darlington live words.")
    section.body = SECRET
    working_copy_save(obj=section, user=None)
    return section


@pytest.fixture
def ours(gateshead):
    section = SectionFactory(council=gateshead, body="Gateshead live words.")
    section.body = "Gateshead working words."
    working_copy_save(obj=section, user=None)
    return section


def test_another_councils_history_is_not_found(gateshead_client, theirs):
    response = gateshead_client.get(admin_url("history", theirs))
    assert response.status_code == 404
    assert SECRET not in response.text


def test_another_councils_versions_cannot_be_compared(gateshead_client, theirs):
    a, b = versions_of(theirs)[:2]
    response = gateshead_client.get(
        admin_url("compare", theirs), {"from": a.pk, "to": b.pk}
    )
    assert response.status_code == 404
    assert SECRET not in response.text


def test_another_councils_versions_cannot_be_compared_through_own_section(
    gateshead_client, ours, theirs
):
    mine = versions_of(ours).first()
    other = versions_of(theirs).first()
    response = gateshead_client.get(
        admin_url("compare", ours), {"from": mine.pk, "to": other.pk}
    )
    assert response.status_code == 404
    assert SECRET not in response.text


def test_another_councils_version_cannot_be_restored_into_own_section(
    gateshead_client, ours, theirs
):
    other = versions_of(theirs).first()
    response = gateshead_client.post(admin_url("restore", ours, other.pk))
    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.body == "Gateshead working words."


def test_another_councils_section_cannot_be_restored(gateshead_client, theirs):
    oldest = versions_of(theirs).last()
    response = gateshead_client.post(admin_url("restore", theirs, oldest.pk))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == SECRET


@pytest.mark.parametrize("action", ["publish", "submit"])
def test_another_councils_section_cannot_be_published_or_submitted(
    gateshead_client, theirs, action
):
    response = gateshead_client.post(
        admin_url("publish", theirs),
        {"action": action, "change_type": "minor", "note": ""},
    )
    assert response.status_code == 404
    assert SECRET not in gateshead_client.get(theirs.get_absolute_url()).text
    theirs.refresh_from_db()
    assert theirs.editorial_state == EditorialState.DRAFT


def test_another_councils_section_cannot_be_archived(gateshead_client, theirs):
    response = gateshead_client.post(admin_url("archive", theirs))
    assert response.status_code == 404
    assert Section.live.filter(live_of=theirs).exists()


def test_another_councils_preview_is_not_found(gateshead_client, theirs):
    response = gateshead_client.get(theirs.get_preview_url())
    assert response.status_code == 404
    assert SECRET not in response.text


def test_visitors_get_not_found_for_any_preview(client, theirs):
    response = client.get(theirs.get_preview_url())
    assert response.status_code == 404
    assert SECRET not in response.text


def test_signed_in_non_staff_get_not_found_for_a_preview(client, darlington, theirs):
    member = make_commissioner(darlington)
    member.is_staff = False
    member.save()
    client.force_login(member)
    assert client.get(theirs.get_preview_url()).status_code == 404


def test_own_staff_preview_the_working_copy_at_the_real_layout(gateshead_client, ours):
    response = gateshead_client.get(ours.get_preview_url())

    assert response.status_code == 200
    assert "Gateshead working words." in response.text
    assert "This is a preview of unpublished changes" in response.text
    assert 'class="govuk-breadcrumbs"' in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.text


def test_administrators_preview_any_council(client, portal_admin, theirs):
    login_with_second_factor(client, portal_admin)
    assert SECRET in client.get(theirs.get_preview_url()).text


def previews(darlington, theirs):
    """A section's, a scheduled tender's and an arrangement's preview."""
    tender = TenderFactory(
        council=darlington,
        title=HIDDEN,
        published_at=clock.now() + datetime.timedelta(days=7),
    )
    arrangement = ArrangementFactory(council=darlington, name=HIDDEN)
    return [
        theirs.get_preview_url(),
        tender.get_preview_url(),
        arrangement.get_preview_url(),
    ]


def test_an_administrator_without_the_second_factor_gets_no_preview(
    client, portal_admin, darlington, theirs
):
    # Signed in with the password, but the admin's second factor not entered.
    client.force_login(portal_admin)
    for url in previews(darlington, theirs):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        for text in (response.text, client.get(url, follow=True).text):
            assert SECRET not in text and HIDDEN not in text


def test_staff_who_set_up_a_second_factor_must_enter_it_to_preview(
    client, darlington, theirs
):
    member = make_commissioner(darlington, username="darlington-staff")
    TOTPDevice.objects.create(user=member, name="App", confirmed=True)
    client.force_login(member)
    urls = previews(darlington, theirs)
    for url in urls:
        assert client.get(url).status_code == 302, url

    login_with_second_factor(client, member)
    assert SECRET in client.get(urls[0]).text
    for url in urls[1:]:
        assert HIDDEN in client.get(url).text, url


@pytest.mark.parametrize(
    ("name", "args"), [("revision", [1, 1]), ("recover", [1]), ("recoverlist", [])]
)
def test_reversions_own_revert_screens_are_not_exposed(name, args):
    # django-reversion's VersionAdmin reverts before checking the object is the
    # user's; the portal does not install those views at all.
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:councils_section_{name}", args=args)


def test_public_change_page_shows_only_published_versions(client, theirs):
    from councils.models import Publication

    change = Publication.objects.for_object(theirs).first()
    response = client.get(change.get_absolute_url())
    assert response.status_code == 200
    assert SECRET not in response.text


def test_working_copies_never_count_as_published(theirs):
    # Code written before live copies existed asks Section.objects for published
    # sections: it gets none, never the unpublished working copy.
    assert not Section.objects.published().exists()
    assert Section.live.published().get().body == "Darlington live words."
