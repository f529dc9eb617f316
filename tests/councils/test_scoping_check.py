"""A system check refuses to start when a council-owned model escapes the scoping."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from councils.models import Council, CouncilOwnedQuerySet
from councils.scoping import CouncilScopedAdmin, scoping_errors


def in_councils():
    return type("Meta", (), {"app_label": "councils"})


def error_ids(models_, site=None):
    return [error.id for error in scoping_errors(models_, site or admin.AdminSite())]


def test_the_portals_own_models_and_admins_pass_the_check():
    call_command("check", "--tag", "security", "--fail-level", "ERROR")


@isolate_apps("councils")
def test_a_model_with_a_council_key_but_no_scoped_manager_fails():
    class Newsletter(models.Model):
        Meta = in_councils()
        council = models.ForeignKey(Council, on_delete=models.CASCADE)

    assert "councils.E001" in error_ids([Newsletter])


@isolate_apps("councils")
def test_a_scoped_model_without_a_council_path_fails():
    class Newsletter(models.Model):
        Meta = in_councils()
        council = models.ForeignKey(Council, on_delete=models.CASCADE)
        objects = CouncilOwnedQuerySet.as_manager()

    assert error_ids([Newsletter]) == ["councils.E002"]


@pytest.mark.parametrize(
    "path", ["counsil", "council__region", "title", "council__commissioners"]
)
@isolate_apps("councils")
def test_a_council_path_that_does_not_reach_a_council_fails(path):
    class Newsletter(models.Model):
        Meta = in_councils()
        council = models.ForeignKey(Council, on_delete=models.CASCADE)
        title = models.CharField(max_length=10)
        objects = CouncilOwnedQuerySet.as_manager()
        council_path = path

    assert error_ids([Newsletter]) == ["councils.E002"]


@isolate_apps("councils")
def test_a_path_through_another_model_is_accepted():
    class Newsletter(models.Model):
        Meta = in_councils()
        council = models.ForeignKey(Council, on_delete=models.CASCADE)
        objects = CouncilOwnedQuerySet.as_manager()
        council_path = "council"

    class Issue(models.Model):
        Meta = in_councils()
        newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE)
        objects = CouncilOwnedQuerySet.as_manager()
        council_path = "newsletter__council"

    assert error_ids([Newsletter, Issue]) == []


@isolate_apps("councils")
def test_a_council_owned_model_in_a_plain_admin_fails():
    class Newsletter(models.Model):
        Meta = in_councils()
        council = models.ForeignKey(Council, on_delete=models.CASCADE)
        objects = CouncilOwnedQuerySet.as_manager()
        council_path = "council"

    plain, scoped = admin.AdminSite(name="plain"), admin.AdminSite(name="scoped")
    plain.register(Newsletter, admin.ModelAdmin)
    scoped.register(Newsletter, CouncilScopedAdmin)
    assert error_ids([Newsletter], plain) == ["councils.E003"]
    assert error_ids([Newsletter], scoped) == []
