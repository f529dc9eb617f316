"""The feeds' XML writer writes what Django's own would, element for element."""

import io
import itertools

import pytest
from django.utils.xmlutils import SimplerXMLGenerator, UnserializableContentError

from councils.feeds import QuickXMLGenerator

TEXTS = [
    None,
    "",
    "plain",
    "a & b < c > d",
    'say "it\'s"',
    'only "double"',
    "x\ny\tz\r",
]
ATTRS = [None, {}, {"href": "/a?b=1&c=2", "rel": "alternate"}, {"term": 'it\'s "q"'}]


def written(generator, elements):
    out = io.StringIO()
    handler = generator(out, "utf-8", short_empty_elements=True)
    handler.startDocument()
    handler.startElement("feed", {"xmlns": "http://www.w3.org/2005/Atom"})
    for name, contents, attrs in elements:
        handler.startElement("entry", {})
        handler.addQuickElement(name, contents, attrs)
        handler.addQuickElement("title", contents)
        handler.endElement("entry")
    handler.endElement("feed")
    return out.getvalue()


def test_quick_elements_are_written_as_djangos_generator_writes_them():
    elements = [
        ("link", text, attrs) for text, attrs in itertools.product(TEXTS, ATTRS)
    ]
    assert written(QuickXMLGenerator, elements) == written(
        SimplerXMLGenerator, elements
    )


@pytest.mark.parametrize(
    "element",
    [("title", "bell \x07", None), ("link", "", {"href": "/a\x01"})],
    ids=["text", "attribute"],
)
def test_control_characters_are_refused_as_django_refuses_them(element):
    for generator in (SimplerXMLGenerator, QuickXMLGenerator):
        with pytest.raises(UnserializableContentError):
            written(generator, [element])
