"""An admin imports a contacts spreadsheet in the browser: upload, the worker's progress,
the preview, Confirm, the report. A real Celery worker process does the work."""

import openpyxl
import pytest

from contacts.models import Contact
from customers.models import Customer
from tests.workers import start_worker

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

ROWS = 3000


def contacts_workbook(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Customer", "Email", "First name", "Last name", "Phone", "Main contact"])
    sheet.append(["Example Customer Ltd", "jane.doe@example.com", "Jane", "Doe", "", "yes"])
    for i in range(ROWS):
        sheet.append(
            [
                f"Client {i % 30}",
                f"person{i}@client{i % 30}.example",
                "Pat",
                f"Person {i}",
                f"0{7700900000 + i}",
                "yes" if i < 30 else "",
            ]
        )
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    return path


def test_admin_imports_contacts_and_reads_the_report(
    page, live_server, staff_user, worker_env, tmp_path
):
    staff_user()
    Customer.objects.bulk_create(Customer(name=f"Client {i}") for i in range(30))
    path = contacts_workbook(tmp_path)
    worker = start_worker(worker_env)
    try:
        sign_in(page, live_server, "admin@msp.example")
        page.get_by_role("link", name="Import customers").click()
        screenshot(page, "import-list")
        page.get_by_label("Contacts").check()
        page.get_by_label("File", exact=True).set_input_files(str(path))
        page.get_by_role("button", name="Upload and check").click()

        confirm = page.get_by_role("button", name="Confirm: import 3,000 changes")
        try:
            confirm.wait_for(timeout=60_000)
        finally:
            screenshot(page, "import-waiting")
        assert page.get_by_text("There is no customer").count() == 0
        screenshot(page, "import-preview")
        assert Contact.objects.count() == 0
        confirm.click()

        page.get_by_text("Done", exact=True).first.wait_for(timeout=60_000)
        screenshot(page, "import-done")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert Contact.objects.count() == ROWS
    assert Contact.objects.filter(is_main=True).count() == 30
    assert Contact.objects.get(email="person5@client5.example").phone == "07700900005"
    # The report's figures are on the page.
    text = page.inner_text("main")
    assert "3,000" in text
