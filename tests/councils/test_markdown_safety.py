"""Commissioners' Markdown never puts script, raw HTML or unsafe URLs on a page."""

import re

import pytest

from tests.factories import SectionFactory

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '[x](https://ok.example "title" onmouseover=alert(1))',
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[click](&#106;avascript:alert(1))",
]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_section_page_never_renders_script_or_unsafe_urls(client, gateshead, payload):
    section = SectionFactory(council=gateshead, body=f"Intro\n\n{payload}\n\nEnd")
    html = client.get(section.get_absolute_url()).text
    body = html.split('class="app-mps-text"', 1)[1].split("</div>", 1)[0]
    # Escaped text (&lt;script&gt;) is harmless; real tags and attributes are not.
    assert not re.search(r"<(script|img|svg|iframe|style|details|object)\b", body, re.I)
    assert not re.search(r"<[^>]*\s(on\w+|style)\s*=", body, re.I)
    assert not re.search(
        r"<[^>]*\s(href|src)\s*=\s*[\"']?\s*(javascript|vbscript|data):", body, re.I
    )


@pytest.mark.django_db
def test_markdown_links_tables_and_lists_survive_sanitising(client, gateshead):
    section = SectionFactory(
        council=gateshead,
        body=(
            "See [our strategy](https://www.gateshead.gov.uk/thrive).\n\n"
            "- one\n- two\n\n| Setting | Gateshead |\n|---|---|\n| Care homes | 81.6% |"
        ),
    )
    html = client.get(section.get_absolute_url()).text
    assert 'href="https://www.gateshead.gov.uk/thrive"' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<th scope="col" class="govuk-table__header">Setting</th>' in html


@pytest.mark.django_db
def test_a_table_line_before_a_table_becomes_its_escaped_caption(client, gateshead):
    section = SectionFactory(
        council=gateshead,
        body="Table: CQC ratings <b>December</b> 2023\n\n| Setting | Gateshead |\n|---|---|\n",
    )
    html = client.get(section.get_absolute_url()).text
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">'
        "CQC ratings &lt;b&gt;December&lt;/b&gt; 2023</caption>"
    ) in html
    assert "Table:" not in html
