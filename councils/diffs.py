"""Readable differences between two versions: words added and removed."""

import difflib
import re
from dataclasses import dataclass

from django.utils.text import capfirst

# Words, runs of spaces and single punctuation marks, so a change of one word or
# one comma shows as just that.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Part:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class FieldDifference:
    label: str
    parts: list[Part]

    @property
    def changed(self) -> bool:
        return any(part.kind != "same" for part in self.parts)


def word_diff(old: str, new: str) -> list[Part]:
    """The words of ``new`` with those added and removed since ``old`` marked."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(Part("same", "".join(old_tokens[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(Part("removed", "".join(old_tokens[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(Part("added", "".join(new_tokens[j1:j2])))
    return parts


def content_diff(model, old: dict, new: dict) -> list[FieldDifference]:
    """Each content field of ``model``, old and new values compared word by word.

    ``old`` and ``new`` map field names to stored values (as in a version);
    choices are compared by their labels, as readers see them.
    """
    differences = []
    for name in model.content_fields:
        field = model._meta.get_field(name)
        differences.append(
            FieldDifference(
                label=capfirst(str(field.verbose_name)),
                parts=word_diff(
                    _shown(field, old.get(name)), _shown(field, new.get(name))
                ),
            )
        )
    return differences


def _shown(field, value) -> str:
    if value is None:
        return ""
    if field.many_to_many:
        names = field.related_model._default_manager.filter(pk__in=value)
        return "; ".join(sorted(str(name) for name in names))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
