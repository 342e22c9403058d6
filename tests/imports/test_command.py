"""`manage.py import_file`: progress on stderr, a summary line, row errors, exit status."""

import pytest
from django.core.management import call_command

from customers.models import Customer

from .conftest import CUSTOMER_HEADER, csv_bytes, fixture_path

pytestmark = pytest.mark.django_db


def run_command(capsys, *args):
    code = 0
    try:
        call_command("import_file", *args)
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_a_clean_file_imports_and_prints_the_summary(tmp_path, capsys):
    path = fixture_path(tmp_path, "c.csv", csv_bytes([CUSTOMER_HEADER, ["Acme"], ["Beta"]]))
    code, out, err = run_command(capsys, "customers", str(path), "--inline")
    assert code == 0
    assert out == ["new=2 updated=0 unchanged=0 errors=0"]
    assert "2 of 2 rows" in err
    assert Customer.objects.count() == 2

    code, out, _err = run_command(capsys, "customers", str(path), "--inline")
    assert (code, out) == (0, ["new=0 updated=0 unchanged=2 errors=0"])


def test_dry_run_writes_nothing(tmp_path, capsys):
    path = fixture_path(tmp_path, "c.csv", csv_bytes([CUSTOMER_HEADER, ["Acme"]]))
    code, out, _err = run_command(capsys, "customers", str(path), "--dry-run", "--inline")
    assert (code, out) == (0, ["new=1 updated=0 unchanged=0 errors=0"])
    assert Customer.objects.count() == 0


def test_row_errors_are_listed_and_the_exit_status_is_1(tmp_path, capsys):
    rows = [CUSTOMER_HEADER, ["Acme", "gmail.com"], ["Beta"], ["", "x.com"]]
    path = fixture_path(tmp_path, "c.csv", csv_bytes(rows))
    code, out, _err = run_command(capsys, "customers", str(path), "--inline")
    assert code == 1
    assert out[0] == "new=1 updated=0 unchanged=0 errors=2"
    assert out[1].startswith("row 2, column Domains: “gmail.com” is a shared free-mail domain")
    assert out[2] == "row 4, column Name: Enter the customer's name."
    assert Customer.objects.count() == 0


def test_a_refused_file_says_why(tmp_path, capsys):
    path = fixture_path(tmp_path, "c.xlsx", b"not a workbook")
    code, out, _err = run_command(capsys, "customers", str(path), "--inline")
    assert code == 1
    assert out == [
        "new=0 updated=0 unchanged=0 errors=1",
        "file: The file is named .xlsx but is not an Excel workbook; save it as .xlsx again.",
    ]


def test_a_missing_path_is_a_command_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_file", "customers", str(tmp_path / "nope.csv"))
