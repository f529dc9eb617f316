"""The demo data loads from fixtures/, twice without change, with its demo accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from councils.models import Contact, Council, Heading, ProviderForum, Section

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count() for m in (Council, Heading, Section, Contact, ProviderForum)
    ]


def test_demo_data_loads_the_twelve_north_east_councils():
    call_command("load_demo_data", verbosity=0)
    assert Council.objects.count() == 12
    assert Council.objects.get(gss_code="E06000047").name == "Durham County Council"
    assert Section.live.published().filter(council__slug="gateshead").exists()


def test_loading_demo_data_twice_changes_nothing():
    call_command("load_demo_data", verbosity=0)
    before = counts()
    call_command("load_demo_data", verbosity=0)
    assert counts() == before


def test_demo_commissioners_edit_only_their_own_council(client):
    call_command("load_demo_data", verbosity=0)
    user = get_user_model().objects.get(username="gateshead-commissioner")
    assert list(user.councils.values_list("slug", flat=True)) == ["gateshead"]
    client.post(
        reverse("admin:login"),
        {"username": "gateshead-commissioner", "password": "demo-password"},
    )
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_portal_admin_is_asked_to_set_up_two_factor_authentication(client):
    call_command("load_demo_data", verbosity=0)
    client.post(
        reverse("admin:login"),
        {"username": "portal-admin", "password": "demo-password"},
    )
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:two-factor-setup")


def test_production_never_gets_demo_accounts(settings):
    settings.PRODUCTION = True
    call_command("load_demo_data", verbosity=0)
    assert not get_user_model().objects.exists()
    assert Council.objects.count() == 12


def test_loading_demo_data_again_keeps_edits_made_since(client):
    from councils.publishing import publish, working_copy_save

    call_command("load_demo_data", verbosity=0)
    council = Council.objects.get(slug="gateshead")
    council.commissioning_email = "changed@example.org"
    council.save()
    section = Section.objects.filter(council=council).first()
    section.body = "Edited since the demo was loaded."
    working_copy_save(obj=section, user=None)
    publish(obj=section, user=None, major=True, note="Edited")

    call_command("load_demo_data", verbosity=0)

    council.refresh_from_db()
    section.refresh_from_db()
    assert council.commissioning_email == "changed@example.org"
    assert section.body == "Edited since the demo was loaded."
    assert "Edited since the demo" in client.get(section.get_absolute_url()).text


def test_demo_sections_are_live_as_of_their_documents_dates():
    call_command("load_demo_data", verbosity=0)
    durham = Section.live.filter(council__slug="county-durham").first()
    assert durham.content_updated_at.year == 2024
    assert Section.live.count() == Section.objects.count()
