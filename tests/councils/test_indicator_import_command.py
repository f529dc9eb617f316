"""manage.py import_indicators: the same import from the command line."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from councils.models import IndicatorImport, IndicatorValue

from .conftest import figure, table, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_file(tmp_path, durham, admissions):
    path = tmp_path / "national.csv"
    path.write_bytes(
        table(
            [
                figure(),
                figure(area="E12000001", value="738.6"),
                figure(area="E92000001", value="538.5"),
            ]
        )
    )
    return path


def test_without_user_it_loads_council_region_and_england_figures(
    national_file, capsys
):
    call_command("import_indicators", str(national_file))

    assert "3 rows: 3 new, 0 updated and 0 unchanged figures were imported" in (
        capsys.readouterr().out
    )
    values = dict(IndicatorValue.objects.values_list("area_code", "value"))
    assert values == {
        "E06000047": Decimal("626.4"),
        "E12000001": Decimal("738.6"),
        "E92000001": Decimal("538.5"),
    }
    record = IndicatorImport.objects.get()
    assert (record.user, record.outcome) == (None, IndicatorImport.Outcome.IMPORTED)


def test_dry_run_writes_nothing_and_says_so(national_file, capsys):
    call_command("import_indicators", str(national_file), "--dry-run")

    assert "Dry run: national.csv: 3 rows: 3 new" in capsys.readouterr().out
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.get().outcome == IndicatorImport.Outcome.PREVIEWED


def test_with_a_commissioner_their_scoping_applies(
    national_file, durham_commissioner, capsys
):
    with pytest.raises(CommandError, match="2 problems found: nothing was imported"):
        call_command("import_indicators", str(national_file), "--user", "durham-staff")

    err = capsys.readouterr().err
    assert "Row 3, column “area_code”: North East figures are loaded by portal" in err
    assert "Row 4, column “area_code”: England figures" in err
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.get().user == durham_commissioner


def test_commissioner_loads_their_own_councils_figures(
    tmp_path, durham, durham_commissioner, admissions
):
    path = tmp_path / "durham.xlsx"
    path.write_bytes(xlsx([figure(value=626.4)]))

    call_command("import_indicators", str(path), "--user", "durham-staff")

    assert IndicatorValue.objects.get().council == durham


def test_unknown_user_is_an_error(national_file):
    with pytest.raises(CommandError, match="No active user has the username “nobody”"):
        call_command("import_indicators", str(national_file), "--user", "nobody")


def test_user_without_the_import_permission_is_refused(national_file):
    from tests.factories import UserFactory

    UserFactory(username="reader", is_staff=True)

    with pytest.raises(CommandError, match="You may not import indicator figures"):
        call_command("import_indicators", str(national_file), "--user", "reader")


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_indicators", str(tmp_path / "missing.csv"))
