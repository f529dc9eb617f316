"""The finder's filter checkboxes: the markup of Django's CheckboxSelectMultiple."""

import re

import pytest
from django.urls import reverse

from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db
LIST = reverse("tenders:tender-list")


def inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', html)


def test_chosen_councils_and_statuses_are_ticked_with_numbered_ids(
    client, gateshead, darlington
):
    TenderFactory(council=gateshead)
    TenderFactory(council=darlington)
    response = client.get(LIST, {"council": ["gateshead"], "status": ["open"]})
    councils = inputs(response.text, "council")
    ticked = [tag for tag in councils if tag.endswith(" checked>")]
    assert ticked == [
        f'<input type="checkbox" name="council" value="gateshead" '
        f'class="govuk-checkboxes__input" id="id_council_{index}" checked>'
        for index, tag in enumerate(councils)
        if 'value="gateshead"' in tag
    ]
    assert len(councils) > 1
    for index, tag in enumerate(councils):
        assert f'id="id_council_{index}"' in tag
        assert f'for="id_council_{index}"' in response.text
    statuses = inputs(response.text, "status")
    assert [tag for tag in statuses if "checked" in tag] == [
        '<input type="checkbox" name="status" value="open" '
        f'class="govuk-checkboxes__input" id="id_status_{index}" checked>'
        for index, tag in enumerate(statuses)
        if 'value="open"' in tag
    ]


def test_checkbox_labels_are_escaped(client, gateshead):
    gateshead.name = "Gateshead <b>& Felling</b>"
    gateshead.save()
    TenderFactory(council=gateshead)
    response = client.get(LIST)
    assert "Gateshead &lt;b&gt;&amp; Felling&lt;/b&gt; (1)</label>" in response.text
    assert "<b>& Felling</b>" not in response.text
