"""The indicator page's charts and tables, written by template tags, are the
markup of the templates they replace, whatever the figures hold."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe

from councils.charts import Bar, BarGroup, Line, Point, bar_chart, line_chart
from councils.models import Indicator, IndicatorValue
from tests.factories import CouncilFactory, IndicatorFactory, IndicatorValueFactory

AWKWARD = 'North <East> & "Cumbria"'


def awkward_bar_chart(groups=3):
    return bar_chart(
        chart_id='compare-<x>&"y"',
        title="Care home beds & <places>",
        summary='Of 3 councils, "A" has the highest',
        groups=[
            BarGroup(
                label=AWKWARD if n == 0 else mark_safe(f"<b>Area {n}</b>"),
                bars=[
                    Bar("(2021/22 & <later>)", "council", Decimal("626.4") * n),
                    Bar("(none)", "region <2>", None),
                ],
            )
            for n in range(groups)
        ],
        maximum=Decimal("1252.8"),
        formatter=lambda value: f"{value} per 100,000",
        scale="from 0 to 1,252.8 & more",
    )


def awkward_line_chart():
    lines = [
        Line(
            series=AWKWARD,
            css="council",
            points=[
                Point(2018.5, Decimal("20.6"), "20.6%", False, "2018"),
                Point(2021.25, Decimal("0.0001"), "0.0%", False, "2020/21 <rev>"),
                Point(2043.5, Decimal("26.0"), "26.0% & up", True, "2043"),
            ],
        ),
        Line(
            series="England",
            css="england",
            points=[
                Point(2018.5, Decimal("18.2"), "18.2%", False, "2018"),
                Point(2030.9, Decimal("1234.5"), "1,234.5%", False, "2030"),
            ],
        ),
    ]
    return line_chart(
        chart_id="over-time-x",
        title='Population "65+" & <growth>',
        summary="North East from 20.6% to 26.0% (projected)",
        lines=lines,
        formatter=lambda value: f"{value}%",
    )


def rendered(source: str, chart) -> str:
    return Template(source).render(Context({"chart": chart}))


@pytest.mark.parametrize(
    ("tag", "template", "chart"),
    [
        ("bar_chart", "includes/bar_chart.html", awkward_bar_chart),
        ("line_chart", "includes/line_chart.html", awkward_line_chart),
        ("chart_key", "includes/chart_key.html", awkward_line_chart),
        ("chart_key", "includes/chart_key.html", awkward_bar_chart),
    ],
)
@pytest.mark.parametrize(
    ("language", "thousands"), [("en-gb", False), ("en-gb", True), ("de", False)]
)
def test_chart_tags_write_the_markup_of_the_chart_templates(
    tag, template, chart, language, thousands
):
    """The same text, escaped the same way, and every number as ``{{ }}`` writes
    it in the current language, with or without a thousands separator."""
    # 40 bars make the chart taller than 1,000 pixels: a grouped number.
    chart = awkward_bar_chart(groups=40) if chart is awkward_bar_chart else chart()
    with (
        translation.override(language),
        override_settings(USE_THOUSAND_SEPARATOR=thousands),
    ):
        included = rendered(f'{{% include "{template}" %}}', chart)
        written = rendered(f"{{% load charts %}}{{% {tag} chart %}}", chart)
    assert written == included
    assert "&lt;" in written


@pytest.mark.django_db
def test_indicator_table_rows_are_the_markup_of_their_loops():
    """``{% comparison_rows %}`` and ``{% series_rows %}`` write what the indicator
    page's loops over its figures wrote, every value escaped."""
    council = CouncilFactory(name=AWKWARD)
    indicator = IndicatorFactory(unit=Indicator.Unit.GBP, decimal_places=1)
    IndicatorValueFactory(
        indicator=indicator,
        council=council,
        value=Decimal("1234567.25"),
        source_name="Survey <2024> & more",
        source_url="https://example.org/?a=1&b=2",
        notes='Revised <twice> & "again"',
        as_at=date(2001, 1, 1),
    )
    IndicatorValueFactory(
        indicator=indicator,
        area_code=council.region.gss_code,
        period="2040",
        base_year=2022,
        value=Decimal("-3.5"),
    )
    figures = list(IndicatorValue.objects.in_comparison_order())
    looped = Template(
        "{% load councils %}{% for figure in latest %}\n"
        '    <tr class="govuk-table__row{% if not figure.council_id %} '
        'app-comparator-row{% endif %}" role="row">\n'
        '      <th scope="row" class="govuk-table__header" role="rowheader">'
        "{{ figure.area_name }}"
        '{% if not figure.council_id %} <span class="govuk-body-s">(comparator)'
        "</span>{% endif %}</th>\n"
        '      <td class="govuk-table__cell govuk-table__cell--numeric" role="cell" '
        'data-label="Figure">{{ figure.formatted }}</td>\n'
        '      <td class="govuk-table__cell" role="cell" data-label="Period">'
        "{{ figure.period_label }}</td>\n"
        '      <td class="govuk-table__cell" role="cell" data-label="Source">'
        "{% figure_source figure %}</td>\n"
        "    </tr>\n"
        "    {% endfor %}|{% for figure in latest %}\n"
        '    <tr class="govuk-table__row" role="row">\n'
        '      <th scope="row" class="govuk-table__header" role="rowheader">'
        "{{ figure.area_name }}</th>\n"
        '      <td class="govuk-table__cell" role="cell" data-label="Period">'
        "{{ figure.period_label }}</td>\n"
        '      <td class="govuk-table__cell govuk-table__cell--numeric" role="cell" '
        'data-label="Figure">{{ figure.formatted }}</td>\n'
        '      <td class="govuk-table__cell" role="cell" data-label="Source">'
        "{% figure_source figure hide_age=True %}"
        '{% if figure.notes %}<span class="govuk-body-s govuk-!-display-block '
        'govuk-!-margin-bottom-0">{{ figure.notes }}</span>{% endif %}</td>\n'
        "    </tr>\n"
        "    {% endfor %}"
    ).render(Context({"latest": figures}))
    written = Template(
        "{% load councils %}{% comparison_rows latest %}|{% series_rows latest %}"
    ).render(Context({"latest": figures}))
    assert written == looped
    assert "North &lt;East&gt; &amp; &quot;Cumbria&quot;" in written
    assert "May be out of date" in written
    assert "Revised &lt;twice&gt;" in written


@pytest.mark.parametrize("places", [0, 1, 2])
@pytest.mark.parametrize(
    "value",
    ["0", "999", "1000", "52700", "-1234567.891", "0.05", "-0.4", "1000000000.5"],
)
def test_figures_are_grouped_as_intcomma_groups_them(value, places):
    from django.contrib.humanize.templatetags.humanize import intcomma

    indicator = Indicator(unit=Indicator.Unit.COUNT, decimal_places=places)
    number = Decimal(value)
    assert indicator.format(number) == intcomma(f"{number:.{places}f}")


@pytest.mark.parametrize("language", ["en-gb", "fr"])
def test_a_source_names_its_month_as_the_date_filter_does(language):
    """Every month, in the active language (the names are kept per language)."""
    with translation.override(language):
        for month in range(1, 13):
            figure = IndicatorValue(
                source_name="ONS", source_url="", as_at=date(2024, month, 3)
            )
            written = Template(
                "{% load councils %}{% figure_source figure hide_age=True %}"
            ).render(Context({"figure": figure}))
            expected = Template(
                '{{ figure.source_name }}, as at <time datetime="{{ figure.as_at|date:'
                '"Y-m-d" }}">{{ figure.as_at|date:"F Y" }}</time>\n'
            ).render(Context({"figure": figure}))
            assert written == expected
