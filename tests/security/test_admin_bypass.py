"""Attacks on the admin as a Gateshead commissioner against Darlington's rows."""

import json

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from councils.models import Council
from councils.scoping import CouncilScopedAdmin
from quality.models import ThemeScore
from tests.factories import (
    COUNCIL_OWNED_FACTORIES,
    CareServiceFactory,
    QualityFrameworkFactory,
    make_assessment,
    make_commissioner,
)

pytestmark = pytest.mark.django_db

DELETABLE_MODELS = [
    model
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, CouncilScopedAdmin)
    and model is not Council
    # Import logs are read-only: nobody deletes them.
    and model._meta.model_name not in ("importrecord", "indicatorimport")
]


def admin_url(model, view, *args):
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


@pytest.mark.parametrize("model", DELETABLE_MODELS, ids=lambda m: m._meta.label)
def test_delete_selected_with_forged_ids_deletes_only_own_rows(
    gateshead_client, gateshead, darlington, model
):
    make = COUNCIL_OWNED_FACTORIES[model]
    own, other = make(gateshead), make(darlington)

    response = gateshead_client.post(
        admin_url(model, "changelist"),
        {
            "action": "delete_selected",
            "select_across": "0",
            "index": "0",
            "_selected_action": [own.pk, other.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not model._default_manager.filter(pk=own.pk).exists()
    assert model._default_manager.filter(pk=other.pk).exists()


@pytest.mark.parametrize("delete", [False, True], ids=["edit", "delete"])
def test_inline_row_pointing_at_another_councils_theme_score_is_refused(
    gateshead_client, gateshead, darlington, delete
):
    own = make_assessment(QualityFrameworkFactory(council=gateshead))
    other = make_assessment(QualityFrameworkFactory(council=darlington))
    theirs = ThemeScore.objects.filter(assessment=other).first()
    theme = own.framework.themes.first()
    data = {
        "framework": own.framework.pk,
        "service": own.service.pk,
        "assessed_on": "2024-03-01",
        "observation_score": 3,
        "consultation_score": 3,
        "findings": "",
        "theme_scores-TOTAL_FORMS": 1,
        "theme_scores-INITIAL_FORMS": 1,
        "theme_scores-MIN_NUM_FORMS": 0,
        "theme_scores-MAX_NUM_FORMS": 1000,
        "theme_scores-0-id": theirs.pk,
        "theme_scores-0-assessment": own.pk,
        "theme_scores-0-theme": theme.pk,
        "theme_scores-0-score": 1,
    }
    if delete:
        data["theme_scores-0-DELETE"] = "on"

    response = gateshead_client.post(
        reverse("admin:quality_assessment_change", args=[own.pk]), data
    )

    assert response.status_code in (200, 302)
    theirs.refresh_from_db()
    assert theirs.assessment_id == other.pk
    assert theirs.score == 3


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name", "factory"),
    [
        ("quality", "assessment", "service", CareServiceFactory),
        (
            "quality",
            "assessment",
            "framework",
            lambda council: QualityFrameworkFactory(council=council),
        ),
        ("tenders", "tender", "council", lambda council: council),
    ],
)
def test_autocomplete_offers_only_own_councils_rows_for_any_field(
    gateshead_client, gateshead, darlington, app_label, model_name, field_name, factory
):
    own, other = factory(council=gateshead), factory(council=darlington)
    response = gateshead_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
            "term": "",
        },
    )
    if response.status_code == 200:
        ids = {r["id"] for r in json.loads(response.content)["results"]}
        assert str(other.pk) not in ids
        if own.pk is not None:
            assert str(own.pk) in ids
    else:
        # Target admin without search_fields: refused outright, nothing leaks.
        assert response.status_code in (403, 404)


def test_inactive_commissioner_sees_nothing(client, gateshead):
    user = make_commissioner(gateshead, username="left", is_active=False)
    client.force_login(user)
    response = client.get(admin_url(Council, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_staff_without_council_gets_no_choices_on_assessment_form(client, darlington):
    user = make_commissioner(username="no-council")
    QualityFrameworkFactory(council=darlington)
    CareServiceFactory(council=darlington)
    client.force_login(user)
    response = client.get(reverse("admin:quality_assessment_add"))
    form = response.context["adminform"].form
    assert not form.fields["framework"].queryset.exists()
    assert not form.fields["service"].queryset.exists()


@pytest.mark.parametrize("model", DELETABLE_MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_its_filters_never_name_another_council(
    gateshead_client, gateshead, darlington, model
):
    make = COUNCIL_OWNED_FACTORIES[model]
    make(gateshead), make(darlington)
    response = gateshead_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert gateshead.name in response.text
    assert darlington.name not in response.text


def test_admin_login_next_does_not_redirect_off_site(client, gateshead_commissioner):
    gateshead_commissioner.set_password("pw-for-test-1234")
    gateshead_commissioner.save()
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {
            "username": gateshead_commissioner.username,
            "password": "pw-for-test-1234",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_deleting_own_service_cannot_cascade_to_another_councils_assessment(
    gateshead_client, gateshead, darlington
):
    # A service that moved council (CQC's directory says where it is now) keeps
    # the assessments its old council made of it.
    service = CareServiceFactory(council=gateshead)
    theirs = make_assessment(QualityFrameworkFactory(council=darlington), service)

    gateshead_client.post(
        reverse("admin:providers_careservice_delete", args=[service.pk]),
        {"post": "yes"},
    )
    gateshead_client.post(
        reverse("admin:providers_careservice_changelist"),
        {
            "action": "delete_selected",
            "index": "0",
            "_selected_action": [service.pk],
            "post": "yes",
        },
    )

    assert type(theirs).objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:councils_heading_add"),
        reverse("admin:councils_region_add"),
        reverse("admin:councils_typeofcare_add"),
        reverse("admin:tenders_cpvcode_add"),
        reverse("admin:providers_provider_add"),
        reverse("admin:providers_servicetype_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
    ],
)
def test_shared_lists_and_users_are_for_portal_administrators_only(
    gateshead_client, url
):
    assert gateshead_client.get(url).status_code == 403


def test_autocomplete_cannot_list_users_through_council_commissioners(
    gateshead_client, gateshead_commissioner
):
    response = gateshead_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "councils",
            "model_name": "council",
            "field_name": "commissioners",
            "term": "",
        },
    )
    assert response.status_code == 403
    assert gateshead_commissioner.username not in response.text


@pytest.mark.parametrize(
    "query",
    [
        "council__commissioners__password__startswith=md5",
        "council__commissioners__username=gateshead-staff",
        "framework__council__commissioners__password__startswith=md5",
    ],
)
def test_changelist_refuses_lookups_that_probe_users(gateshead_client, query):
    model = "quality/assessment" if query.startswith("framework") else "tenders/tender"
    response = gateshead_client.get(f"/admin/{model}/?{query}")
    assert response.status_code == 400


def test_changelist_to_field_cannot_reach_other_models(gateshead_client):
    response = gateshead_client.get(
        reverse("admin:tenders_tender_changelist") + "?_to_field=council__name"
    )
    assert response.status_code == 400


VIEWABLE_ON_SITE = [
    model
    for model in COUNCIL_OWNED_FACTORIES
    if hasattr(model, "get_absolute_url") and model in admin.site._registry
]


@pytest.mark.parametrize("model", VIEWABLE_ON_SITE, ids=lambda m: m._meta.label)
def test_view_on_site_redirects_only_for_own_councils_rows(
    gateshead_client, gateshead, darlington, model
):
    make = COUNCIL_OWNED_FACTORIES[model]
    own, other = make(gateshead), make(darlington)
    content_type = ContentType.objects.get_for_model(model)

    response = gateshead_client.get(
        reverse("admin:view_on_site", args=[content_type.pk, own.pk])
    )
    assert response.status_code == 302
    assert response["Location"].endswith(own.get_absolute_url())

    response = gateshead_client.get(
        reverse("admin:view_on_site", args=[content_type.pk, other.pk])
    )
    assert response.status_code == 404
    assert other.get_absolute_url() not in response.text


@pytest.mark.parametrize(
    "path", ["/admin/r/abc/1/", "/admin/r/999999/1/", "/admin/r/1/not-a-number/"]
)
def test_view_on_site_with_malformed_or_unknown_ids_is_404(gateshead_client, path):
    assert gateshead_client.get(path).status_code == 404


def test_view_on_site_needs_a_staff_login(client, gateshead):
    content_type = ContentType.objects.get_for_model(Council)
    response = client.get(
        reverse("admin:view_on_site", args=[content_type.pk, gateshead.pk])
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_view_on_site_redirects_a_portal_administrator_anywhere(
    client, portal_admin, darlington
):
    client.force_login(portal_admin)
    content_type = ContentType.objects.get_for_model(Council)
    response = client.get(
        reverse("admin:view_on_site", args=[content_type.pk, darlington.pk])
    )
    assert response.status_code == 302
    assert response["Location"].endswith(darlington.get_absolute_url())
