"""Dependencies point one way, as the README's layout table says.

``councils`` is the base: it uses no feature app. Feature apps use ``councils``;
``quality`` also uses ``providers``. Pages that bring several apps together do it
through panels the feature apps register (``councils.panels``), so the rule
holds in Python imports and in templates alike: ``{% load %}`` of another app's
tag library, ``{% include %}`` or ``{% extends %}`` of another app's template.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["councils", "providers", "tenders", "quality"]
ALLOWED = {
    "councils": set(),
    "providers": {"councils"},
    "tenders": {"councils"},
    "quality": {"councils", "providers"},
}
PYTHON_IMPORT = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.M)
TEMPLATE_LOAD = re.compile(r"{%\s*load\s+([\w\s]+?)\s*%}")
TEMPLATE_PATH = re.compile(r"{%\s*(?:include|extends)\s+[\"'](\w+)/")


def tag_library_apps() -> dict[str, str]:
    """Which app each template tag library ({% load name %}) belongs to."""
    return {
        module.stem: app
        for app in APPS
        for module in (ROOT / app / "templatetags").glob("*.py")
        if module.stem != "__init__"
    }


def python_uses(app: str) -> dict[str, set[str]]:
    uses = {}
    for path in (ROOT / app).rglob("*.py"):
        found = set(PYTHON_IMPORT.findall(path.read_text())) & set(APPS)
        uses[str(path.relative_to(ROOT))] = found - {app}
    return uses


def template_uses(app: str) -> dict[str, set[str]]:
    libraries = tag_library_apps()
    uses = {}
    for path in (ROOT / "templates" / app).rglob("*.html"):
        text = path.read_text()
        loaded = {
            libraries[name]
            for names in TEMPLATE_LOAD.findall(text)
            for name in names.split()
            if name in libraries
        }
        included = set(TEMPLATE_PATH.findall(text)) & set(APPS)
        uses[str(path.relative_to(ROOT))] = (loaded | included) - {app}
    return uses


@pytest.mark.parametrize("app", APPS)
def test_app_python_uses_only_the_apps_it_may_depend_on(app):
    wrong = {
        path: used - ALLOWED[app]
        for path, used in python_uses(app).items()
        if used - ALLOWED[app]
    }
    assert not wrong, f"{app} must not import {wrong}"


@pytest.mark.parametrize("app", APPS)
def test_app_templates_use_only_the_apps_they_may_depend_on(app):
    wrong = {
        path: used - ALLOWED[app]
        for path, used in template_uses(app).items()
        if used - ALLOWED[app]
    }
    assert not wrong, f"templates of {app} must not use {wrong}"


def test_the_checks_see_a_forbidden_use(tmp_path, monkeypatch):
    """The rule is not vacuous: a base template loading a feature app's tags, and
    a base module importing a feature app, are both caught."""
    app_dir = tmp_path / "councils"
    (app_dir / "templatetags").mkdir(parents=True)
    (app_dir / "views.py").write_text("from tenders.models import Tender\n")
    for feature in ("tenders", "providers", "quality"):
        (tmp_path / feature / "templatetags").mkdir(parents=True)
    (tmp_path / "tenders" / "templatetags" / "tenders.py").write_text("")
    (tmp_path / "templates" / "councils").mkdir(parents=True)
    (tmp_path / "templates" / "councils" / "page.html").write_text(
        "{% load static tenders %}{% include 'quality/x.html' %}"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert python_uses("councils") == {"councils/views.py": {"tenders"}}
    assert template_uses("councils") == {
        "templates/councils/page.html": {"tenders", "quality"}
    }


def test_feature_apps_add_their_parts_to_base_pages_as_panels():
    from councils.panels import panels_for

    council = {panel.template_name.split("/")[0] for panel in panels_for("council")}
    market = {panel.template_name.split("/")[0] for panel in panels_for("market")}
    assert council == {"tenders", "quality"}
    # The directory's services and CQC's figures are one quality panel.
    assert market == {"tenders", "quality"}
