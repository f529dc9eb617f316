"""A commissioner sees and changes only their own councils' rows, by any admin URL."""

import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from councils.models import Publication, SearchDocument
from councils.scoping import CouncilScopedAdmin, is_council_scoped
from tests.factories import COUNCIL_OWNED_FACTORIES

# Derived from the models: every council-owned model (its manager has editable_by)
# that the admin shows. The system check (councils.E003) makes sure each of these
# uses CouncilScopedAdmin.
COUNCIL_OWNED_MODELS = [m for m in apps.get_models() if is_council_scoped(m)]
SCOPED_MODELS = [m for m in COUNCIL_OWNED_MODELS if m in admin.site._registry]
pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def test_every_council_owned_model_in_the_admin_has_a_factory_for_these_tests():
    missing = set(SCOPED_MODELS) - set(COUNCIL_OWNED_FACTORIES)
    assert not missing, f"Add these to COUNCIL_OWNED_FACTORIES: {missing}"


def test_every_council_owned_model_in_the_admin_is_scoped():
    for model in SCOPED_MODELS:
        assert isinstance(admin.site._registry[model], CouncilScopedAdmin), model


def test_council_owned_models_outside_the_admin_are_inlines_of_scoped_admins():
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, CouncilScopedAdmin)
        for inline in model_admin.inlines
    }
    # Publications are the public change log: read on public pages and on the
    # admin dashboard through Publication.objects.editable_by(), never edited.
    # Search documents are the site search's index, made from the content.
    shown_elsewhere = {Publication, SearchDocument}
    hidden = (
        set(COUNCIL_OWNED_MODELS) - set(SCOPED_MODELS) - inline_models - shown_elsewhere
    )
    assert not hidden, f"Council-owned but in no scoped admin: {hidden}"


@pytest.fixture(params=SCOPED_MODELS, ids=lambda m: m._meta.label)
def rows(request, gateshead, darlington):
    make = COUNCIL_OWNED_FACTORIES[request.param]
    return request.param, make(gateshead), make(darlington)


def test_changelist_lists_only_own_councils_rows(gateshead_client, rows):
    model, own, other = rows
    response = gateshead_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert own.pk in shown
    assert other.pk not in shown


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_councils_row_is_not_found_by_any_object_url(
    gateshead_client, rows, view
):
    model, _own, other = rows
    response = gateshead_client.get(admin_url(model, view, other.pk))
    # Django's admin redirects to the index with "doesn't exist" for objects outside
    # the queryset; 403 where the group lacks that permission altogether.
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")


def test_another_councils_row_cannot_be_deleted_by_post(gateshead_client, rows):
    model, _own, other = rows
    gateshead_client.post(admin_url(model, "delete", other.pk), {"post": "yes"})
    assert model._default_manager.filter(pk=other.pk).exists()


def test_own_row_can_be_opened_for_change(gateshead_client, rows):
    model, own, _other = rows
    response = gateshead_client.get(admin_url(model, "change", own.pk))
    assert response.status_code == 200


def test_superuser_sees_every_councils_rows(admin_client_verified, rows):
    model, own, other = rows
    response = admin_client_verified.get(admin_url(model, "changelist"))
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert {own.pk, other.pk} <= shown


def test_council_choices_offer_only_own_councils(
    gateshead_client, gateshead, darlington
):
    from councils.models import Section

    response = gateshead_client.get(admin_url(Section, "add"))
    choices = response.context["adminform"].form.fields["council"].queryset
    assert list(choices) == [gateshead]


def test_new_row_for_another_council_is_refused(
    gateshead_client, gateshead, darlington
):
    from councils.models import Heading, Section

    heading = Heading.objects.create(name="Vision", slug="vision")
    response = gateshead_client.post(
        admin_url(Section, "add"),
        {
            "council": darlington.pk,
            "heading": heading.pk,
            "status": "published",
            "body": "x",
        },
    )
    assert response.status_code == 200
    assert "council" in response.context["adminform"].form.errors
    assert not Section.objects.filter(council=darlington).exists()


def test_new_row_defaults_to_the_commissioners_only_council(
    gateshead_client, gateshead
):
    from councils.models import Contact

    response = gateshead_client.get(admin_url(Contact, "add"))
    assert response.context["adminform"].form.initial["council"] == gateshead.pk


def test_council_autocomplete_offers_only_own_councils(
    gateshead_client, gateshead, darlington
):
    response = gateshead_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "councils",
            "model_name": "section",
            "field_name": "council",
            "term": "",
        },
    )
    assert response.status_code == 200
    names = {result["text"] for result in json.loads(response.content)["results"]}
    assert names == {gateshead.name}


def test_commissioner_cannot_add_or_delete_councils(gateshead_client, gateshead):
    from councils.models import Council

    assert gateshead_client.get(admin_url(Council, "add")).status_code == 403
    gateshead_client.post(admin_url(Council, "delete", gateshead.pk), {"post": "yes"})
    assert Council.objects.filter(pk=gateshead.pk).exists()


def test_commissioner_cannot_give_themselves_another_council(
    gateshead_client, gateshead, darlington, gateshead_commissioner
):
    from councils.models import Council

    response = gateshead_client.get(admin_url(Council, "change", gateshead.pk))
    assert "commissioners" not in response.context["adminform"].form.fields


def test_staff_user_without_a_council_sees_no_rows(client, gateshead):
    from councils.models import Section
    from tests.factories import SectionFactory, make_commissioner

    SectionFactory(council=gateshead)
    client.force_login(make_commissioner())
    response = client.get(admin_url(Section, "changelist"))
    assert response.context["cl"].result_count == 0


def test_changes_are_recorded_in_the_admin_log(gateshead_client, gateshead):
    from django.contrib.admin.models import LogEntry

    from councils.models import Section
    from tests.factories import SectionFactory

    section = SectionFactory(council=gateshead)
    gateshead_client.post(
        admin_url(Section, "change", section.pk),
        {
            "council": gateshead.pk,
            "heading": section.heading.pk,
            "status": "published",
            "body": "New text",
            "lock_version": section.lock_version,
        },
    )
    assert LogEntry.objects.filter(object_id=str(section.pk)).exists()
