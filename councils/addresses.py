"""Rows' addresses without a ``reverse()`` per row.

``address("councils:council-detail", slug=council.slug)`` is
``reverse("councils:council-detail", kwargs={"slug": council.slug})``, but the URL
pattern is reversed once for each URL resolver, script prefix and set of argument
names (what ``reverse()`` depends on), and each row's values are joined into it.
Reversing was most of a list page's time (a council page reverses a hundred
addresses, ``reverse()`` about 30 µs each).

Joining is only used for a value that ``reverse()`` would write unchanged: one of
the characters the argument's converter accepts, among those ``quote()`` leaves
alone (``int``: digits; ``slug``: letters, digits, ``-`` and ``_``; ``str``: those
and ``.`` and ``~``; ``path``: segments of those). Which of these an argument takes
is found by reversing the pattern with a sample of each, so an argument whose
converter refuses or rewrites them falls to the next; any other value (one that
would be quoted, such as a space or an accent, or refused) is reversed as before,
so it is quoted, or raises ``NoReverseMatch``, exactly as ``reverse()`` does.
"""

import re
from functools import lru_cache

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

# What an argument's values may be to be joined as they are, most accepting first,
# with a sample of each kind's characters ("{}" is a number unique to the argument).
PLAIN = [
    (re.compile(r"[-a-zA-Z0-9_.~]+(/[-a-zA-Z0-9_.~]+)*"), "aZ-_.~/b{}"),
    (re.compile(r"[-a-zA-Z0-9_.~]+"), "aZ-_.~{}"),
    (re.compile(r"[-a-zA-Z0-9_]+"), "aZ-_{}"),
    (re.compile(r"[0-9]+"), "{}"),
]
# Digits no real address holds, one number per argument.
FIRST_SAMPLE = 7_391_846_250


class Pattern:
    """One URL pattern reversed: the text between its arguments, and for each
    argument the values that may be joined into it."""

    def __init__(self, pieces: list[str], names: list[str], plain: list):
        self.pieces, self.names, self.plain = pieces, names, plain

    def join(self, kwargs: dict) -> str | None:
        """The address for ``kwargs``, or ``None`` for a value not plain."""
        parts = [self.pieces[0]]
        for name, plain, piece in zip(
            self.names, self.plain, self.pieces[1:], strict=True
        ):
            value = str(kwargs[name])
            if plain is None or not plain.fullmatch(value):
                return None
            parts.append(value)
            parts.append(piece)
        return "".join(parts)


def _reversed(url_name, urlconf, current_app, kwargs) -> str | None:
    try:
        return django_reverse(url_name, urlconf, kwargs=kwargs, current_app=current_app)
    except NoReverseMatch:
        return None


def _split(url: str, samples: dict[str, str]) -> tuple[list[str], list[str]] | None:
    """``url`` cut at each sample value (each there exactly once), in order."""
    found = []
    for name, sample in samples.items():
        if url.count(sample) != 1:
            return None
        found.append((url.index(sample), name, sample))
    found.sort()
    pieces, names, start = [], [], 0
    for position, name, sample in found:
        if position < start:
            return None
        pieces.append(url[start:position])
        names.append(name)
        start = position + len(sample)
    pieces.append(url[start:])
    return pieces, names


@lru_cache(maxsize=256)
def _pattern(
    resolver, script_prefix: str, url_name: str, names: tuple, current_app
) -> Pattern | None:
    """``url_name`` reversed with numbers for its arguments, cut at them; then,
    argument by argument, the most accepting kind of value that reverses to the
    same address with the value in its place. ``None`` when not even numbers do
    (the argument's values are then always reversed)."""
    urlconf = resolver.urlconf_name
    digits = {name: str(FIRST_SAMPLE + n) for n, name in enumerate(names)}
    url = _reversed(url_name, urlconf, current_app, digits)
    if url is None:
        return None
    cut = _split(url, digits)
    if cut is None:
        return None
    pieces, ordered = cut

    plain = {}
    for name in names:
        for regex, sample in PLAIN:
            values = digits | {name: sample.format(digits[name])}
            expected = pieces[0] + "".join(
                values[n] + piece for n, piece in zip(ordered, pieces[1:], strict=True)
            )
            if _reversed(url_name, urlconf, current_app, values) == expected:
                plain[name] = regex
                break
        else:
            plain[name] = None
    pattern = Pattern(pieces, ordered, [plain[name] for name in ordered])
    # Every argument at its most accepting sample together, as one more check.
    together = {
        name: next(s for r, s in PLAIN if r is plain[name]).format(digits[name])
        for name in names
        if plain[name] is not None
    }
    if together and _reversed(
        url_name, urlconf, current_app, digits | together
    ) != pattern.join(digits | together):
        return None
    return pattern


def address(url_name: str, /, current_app: str | None = None, **kwargs) -> str:
    """``reverse(url_name, kwargs=kwargs, current_app=current_app)``, with the
    pattern reversed once and plain values joined into it (see the module's
    docstring); any other value reversed as ``reverse()`` does it."""
    pattern = _pattern(
        get_resolver(get_urlconf()),
        get_script_prefix(),
        url_name,
        tuple(kwargs),
        current_app,
    )
    if pattern is not None:
        url = pattern.join(kwargs)
        if url is not None:
            return url
    return django_reverse(url_name, kwargs=kwargs, current_app=current_app)
