"""Dependencies point one way: quality may use providers, never the reverse."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
FORBIDDEN = {
    "providers": {"quality", "tenders"},
    "quality": {"tenders"},
}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_apps_it_must_not_depend_on(app):
    pattern = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.M)
    for path in (ROOT / app).rglob("*.py"):
        imported = set(pattern.findall(path.read_text()))
        assert not imported & FORBIDDEN[app], (
            f"{path} imports {imported & FORBIDDEN[app]}"
        )
