"""What an import does to the data: matching keys, blanks, domains, main contacts, all or
nothing, and re-imports that change nothing."""

import pytest

from contacts.models import Contact, ContactEmail
from customers.models import Customer, CustomerDomain
from imports.models import Status
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory

from .conftest import CONTACT_HEADER, CUSTOMER_HEADER, counts, csv_bytes, errors_of, run_job

pytestmark = pytest.mark.django_db


def test_customers_are_created_with_domains_and_text_values(admin_user):
    content = csv_bytes(
        [
            CUSTOMER_HEADER,
            ["Acme Ltd", "acme.com; ACME.org", "01234", "0044 20 7946", "yes"],
            ["  Beta   Corp ", "", "", "", ""],
        ]
    )
    job = run_job("customers", content, "customers.csv", admin_user)

    assert job.status == Status.DONE
    assert counts(job) == (2, 0, 0, 0)
    acme = Customer.objects.get(name="Acme Ltd")
    assert acme.zip_code == "01234"
    assert acme.phone == "0044 20 7946"
    assert acme.tickets_by_main_contact_only is True
    assert acme.created_by == admin_user
    assert sorted(acme.domains.values_list("domain", flat=True)) == ["acme.com", "acme.org"]
    assert Customer.objects.filter(name="Beta Corp").exists()


def test_customers_match_by_name_and_a_blank_cell_keeps_the_stored_value():
    acme = CustomerFactory(name="Acme Ltd", zip_code="99999", phone="111")
    content = csv_bytes([CUSTOMER_HEADER, ["  ACME ltd ", "", "", "222", ""]])

    job = run_job("customers", content, "c.csv")

    assert counts(job) == (0, 1, 0, 0)
    acme.refresh_from_db()
    assert (acme.name, acme.zip_code, acme.phone) == ("ACME ltd", "99999", "222")
    assert Customer.objects.count() == 1
    assert job.preview["updated"][0]["changes"]["Phone"] == ["111", "222"]


def test_reimporting_what_was_just_imported_changes_nothing():
    content = csv_bytes(
        [CUSTOMER_HEADER, ["Acme Ltd", "acme.com", "01234", "", "no"], ["Beta", "", "", "", ""]]
    )
    run_job("customers", content, "c.csv")
    before = list(Customer.objects.values_list("pk", "updated_at").order_by("pk"))

    again = run_job("customers", content, "c.csv")

    assert counts(again) == (0, 0, 2, 0)
    assert again.status == Status.DONE
    assert again.confirmed_at is None  # nothing to import, so nothing was confirmed or run
    assert list(Customer.objects.values_list("pk", "updated_at").order_by("pk")) == before


def test_a_domain_owned_by_another_customer_is_a_row_error_and_nothing_is_written():
    CustomerDomainFactory(customer=CustomerFactory(name="Owner"), domain="taken.com")
    content = csv_bytes(
        [CUSTOMER_HEADER, ["Fine Ltd", "fine.com", "", "", ""], ["Thief", "Taken.com", "", "", ""]]
    )

    job = run_job("customers", content, "c.csv")

    assert job.status == Status.FAILED
    assert errors_of(job) == [
        (3, "Domains", "“taken.com” belongs to the customer “Owner” already.")
    ]
    assert not Customer.objects.filter(name__in=["Fine Ltd", "Thief"]).exists()


def test_domains_are_validated_as_in_the_wizard():
    content = csv_bytes(
        [
            CUSTOMER_HEADER,
            ["A", "gmail.com", "", "", ""],
            ["B", "not a domain!", "", "", ""],
            ["C", "shared.com", "", "", ""],
            ["D", "shared.com", "", "", ""],
            ["E", "bücher.example", "", "", ""],
        ]
    )
    job = run_job("customers", content, "c.csv")

    messages = {row: message for row, _column, message in errors_of(job)}
    assert "free-mail" in messages[2]
    assert "not a valid domain" in messages[3]
    assert messages[5] == "“shared.com” is given to another customer in row 4."
    assert 6 not in messages  # IDNA names are fine
    assert job.error_count == 3
    assert Customer.objects.count() == 0


def test_the_same_customer_twice_in_one_file_is_an_error():
    content = csv_bytes([CUSTOMER_HEADER, ["Acme", "", "", "", ""], ["ACME ", "", "", "", ""]])
    job = run_job("customers", content, "c.csv")
    assert errors_of(job) == [(3, "Name", "“ACME” is in the file twice: rows 2 and 3.")]


def test_bad_yes_no_and_too_long_values_are_row_errors():
    content = csv_bytes(
        [CUSTOMER_HEADER, ["Acme", "", "1" * 21, "", "maybe"]],
    )
    job = run_job("customers", content, "c.csv")
    assert errors_of(job) == [(2, "Zip code", "21 characters; at most 20 fit.")]
    content = csv_bytes([CUSTOMER_HEADER, ["Acme", "", "", "", "maybe"]])
    job = run_job("customers", content, "c.csv")
    assert errors_of(job) == [(2, "Tickets by main contact only", "“maybe” is not yes or no.")]


def test_contacts_are_created_under_customers_named_in_the_file():
    CustomerFactory(name="Acme Ltd")
    CustomerFactory(name="Beta")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            ["acme ltd", "jane@acme.com", "Jane", "Doe", "yes", "0123"],
            ["Beta", "bob@beta.com", "Bob", "Stone", "", ""],
        ]
    )
    job = run_job("contacts", content, "contacts.csv")

    assert counts(job) == (2, 0, 0, 0)
    jane = Contact.objects.get(email="jane@acme.com")
    assert (jane.customer.name, jane.is_main, jane.phone, jane.active) == (
        "Acme Ltd",
        True,
        "0123",
        True,
    )
    assert list(jane.addresses.values_list("address", "is_primary")) == [("jane@acme.com", True)]


def test_contacts_match_by_any_of_their_addresses_case_insensitively():
    customer = CustomerFactory(name="Acme")
    jane = ContactFactory(customer=customer, email="jane@acme.com", first_name="Jane")
    ContactEmail.objects.create(contact=jane, address="j.doe@acme.com")
    content = csv_bytes(
        [["Customer", "Email", "Job title"], ["Acme", "  J.DOE@acme.com ", "Controller"]]
    )

    job = run_job("contacts", content, "c.csv")

    assert counts(job) == (0, 1, 0, 0)
    jane.refresh_from_db()
    assert jane.job_title == "Controller"
    assert jane.email == "J.DOE@acme.com"
    # The old main address is kept as a further address, not lost.
    assert sorted(jane.addresses.values_list("address", "is_primary")) == [
        ("J.DOE@acme.com", True),
        ("jane@acme.com", False),
    ]
    assert Contact.objects.count() == 1


def test_a_new_main_contact_takes_the_flag_from_the_old_one():
    customer = CustomerFactory(name="Acme")
    old = ContactFactory(customer=customer, is_main=True)
    content = csv_bytes([CONTACT_HEADER, ["Acme", "new@acme.com", "New", "Main", "yes", ""]])

    job = run_job("contacts", content, "c.csv")

    assert job.status == Status.DONE
    old.refresh_from_db()
    assert old.is_main is False
    assert Contact.objects.get(email="new@acme.com").is_main is True


def test_two_main_contacts_for_one_customer_is_an_error():
    CustomerFactory(name="Acme")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            ["Acme", "a@acme.com", "A", "A", "yes", ""],
            ["Acme", "b@acme.com", "B", "B", "yes", ""],
        ]
    )
    job = run_job("contacts", content, "c.csv")
    assert errors_of(job) == [
        (3, "Main contact", "Two main contacts for one customer: rows 2 and 3.")
    ]
    assert Contact.objects.count() == 0


def test_a_contact_whose_customer_is_missing_is_an_error():
    content = csv_bytes([CONTACT_HEADER, ["Nobody Inc", "x@nobody.com", "X", "Y", "", ""]])
    job = run_job("contacts", content, "c.csv")
    assert errors_of(job) == [
        (2, "Customer", "There is no customer named “Nobody Inc”; import or create it first.")
    ]


def test_a_new_contact_needs_names_and_a_valid_unique_email():
    CustomerFactory(name="Acme")
    ContactFactory(email="taken@acme.com")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            ["Acme", "not-an-email", "A", "B", "", ""],
            ["Acme", "ok@acme.com", "", "B", "", ""],
            ["Acme", "dup@acme.com", "A", "B", "", ""],
            ["Acme", "DUP@acme.com", "A", "B", "", ""],
        ]
    )
    job = run_job("contacts", content, "c.csv")
    assert errors_of(job) == [
        (2, "Email", "“not-an-email” is not a valid email address."),
        (3, "First name", "A new contact needs this value."),
        (5, "Email", "“DUP@acme.com” is in the file twice: rows 4 and 5."),
    ]


def test_an_inactive_contact_cannot_be_made_main():
    CustomerFactory(name="Acme")
    content = csv_bytes(
        [
            ["Customer", "Email", "First name", "Last name", "Active", "IsContactPerson"],
            ["Acme", "a@acme.com", "A", "B", "no", "yes"],
        ]
    )
    job = run_job("contacts", content, "c.csv")
    assert errors_of(job) == [
        (2, "Main contact", "An inactive contact cannot be the main contact.")
    ]


def test_all_or_nothing_an_error_in_the_last_row_writes_nothing():
    CustomerFactory(name="Acme")
    rows = [CONTACT_HEADER] + [
        ["Acme", f"p{i}@acme.com", "P", str(i), "", ""] for i in range(4500)
    ]
    rows.append(["Acme", "broken", "P", "X", "", ""])
    job = run_job("contacts", csv_bytes(rows), "c.csv")

    assert job.status == Status.FAILED
    assert job.error_count == 1
    assert job.new_count == 4500
    assert Contact.objects.count() == 0
    assert ContactEmail.objects.count() == 0


def test_moving_a_contact_to_another_customer_is_refused():
    ContactFactory(customer=CustomerFactory(name="Acme"), email="jane@acme.com")
    CustomerFactory(name="Beta")
    content = csv_bytes([["Customer", "Email"], ["Beta", "jane@acme.com"]])
    job = run_job("contacts", content, "c.csv")
    assert errors_of(job)[0][1] == "Customer"
    assert "another customer" in errors_of(job)[0][2]


def test_other_emails_are_set_and_addresses_of_two_contacts_conflict():
    acme = CustomerFactory(name="Acme")
    ContactFactory(customer=acme, email="a@acme.com")
    ContactFactory(customer=acme, email="b@acme.com")
    content = csv_bytes(
        [
            ["Customer", "Email", "Other emails"],
            ["Acme", "a@acme.com", "a2@acme.com; A3@acme.com"],
        ]
    )
    job = run_job("contacts", content, "c.csv")
    assert counts(job) == (0, 1, 0, 0)
    assert sorted(
        ContactEmail.objects.filter(contact__email="a@acme.com").values_list("address", flat=True)
    ) == ["A3@acme.com", "a2@acme.com", "a@acme.com"]

    content = csv_bytes(
        [["Customer", "Email", "Other emails"], ["Acme", "a@acme.com", "b@acme.com"]]
    )
    job = run_job("contacts", content, "c.csv")
    assert job.error_count == 1
    assert "different contacts" in errors_of(job)[0][2]


def test_domains_column_replaces_the_customers_domains_on_update():
    acme = CustomerFactory(name="Acme")
    CustomerDomainFactory(customer=acme, domain="old.com")
    job = run_job(
        "customers", csv_bytes([["Name", "Domain"], ["Acme", "new.com;old.com"]]), "c.csv"
    )
    assert counts(job) == (0, 1, 0, 0)
    job = run_job("customers", csv_bytes([["Name", "Domain"], ["Acme", "new.com"]]), "c.csv")
    assert counts(job) == (0, 1, 0, 0)
    assert list(CustomerDomain.objects.values_list("domain", flat=True)) == ["new.com"]


def test_the_preview_shows_values_in_the_files_column_order():
    content = csv_bytes([["Zip code", "Name", "Phone"], ["01234", "Acme", "0123"]])
    job = run_job("customers", content, "c.csv", confirm=False)
    # Stored as pairs: PostgreSQL's jsonb would reorder the keys of an object.
    assert job.preview["new"][0]["values"] == [
        ["Zip code", "01234"],
        ["Name", "Acme"],
        ["Phone", "0123"],
    ]
