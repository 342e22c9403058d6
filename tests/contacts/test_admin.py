"""The Django admin's contact pages: every address validated, the main contact moved safely."""

import pytest

from contacts.models import Contact, ContactEmail
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/django-admin/contacts/contact/add/"


def change_url(contact: Contact) -> str:
    return f"/django-admin/contacts/contact/{contact.pk}/change/"


def form_data(customer, email="ann@acme.example", other_emails="", **fields) -> dict:
    """What the admin page posts; the read-only address rows send only the management form."""
    data = {
        "customer": customer.pk,
        "first_name": "Ann",
        "last_name": "Archer",
        "email": email,
        "other_emails": other_emails,
        "phone": "",
        "mobile": "",
        "department": "",
        "job_title": "",
        "notes": "",
        "active": "on",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def change_data(contact: Contact, **fields) -> dict:
    rows = contact.addresses.count()
    data = form_data(
        contact.customer,
        email=contact.email,
        first_name=contact.first_name,
        last_name=contact.last_name,
        **{"addresses-TOTAL_FORMS": str(rows), "addresses-INITIAL_FORMS": str(rows)},
    )
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def addresses_of(contact: Contact) -> list[tuple[str, bool]]:
    return sorted(contact.addresses.values_list("address", "is_primary"))


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def other_contact():
    contact = ContactFactory(email="Bob@Other.example")
    ContactEmail.objects.create(contact=contact, address="bob.extra@other.example")
    return contact


class TestAddressesAreValidated:
    def test_a_main_address_another_contact_uses_in_another_case_is_refused(
        self, admin_client, customer, other_contact
    ):
        response = admin_client.post(ADD_URL, form_data(customer, email="bob@OTHER.example"))

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["email"] == [
            f"bob@other.example is used by {other_contact.full_name} "
            f"({other_contact.customer.name}) already."
        ]
        assert not Contact.objects.filter(customer=customer).exists()
        assert ContactEmail.objects.count() == 2

    def test_a_further_address_another_contact_uses_is_refused(
        self, admin_client, customer, other_contact
    ):
        response = admin_client.post(
            ADD_URL,
            form_data(customer, other_emails="ann.b@acme.example\nBOB.EXTRA@other.example"),
        )

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "bob.extra@other.example is used by" in errors["other_emails"][0]
        assert not Contact.objects.filter(customer=customer).exists()
        assert ContactEmail.objects.count() == 2

    def test_changing_the_main_address_to_another_contacts_is_refused(
        self, admin_client, other_contact
    ):
        contact = ContactFactory(email="carl@acme.example")

        response = admin_client.post(
            change_url(contact), change_data(contact, email="BOB@other.example")
        )

        assert response.status_code == 200
        assert "is used by" in response.context["adminform"].form.errors["email"][0]
        contact.refresh_from_db()
        assert contact.email == "carl@acme.example"
        assert addresses_of(contact) == [("carl@acme.example", True)]

    @pytest.mark.parametrize(
        "rows",
        [
            # The payloads that used to end in an IntegrityError: the main address again,
            # with or without "main address", two rows differing only in case, and a
            # second main address. The rows are read-only now: they are not saved.
            [("ann@acme.example", True)],
            [("ANN@acme.example", False)],
            [("dup@acme.example", False), ("DUP@acme.example", False)],
            [("second@acme.example", True)],
        ],
    )
    def test_address_rows_posted_to_the_add_page_are_ignored(self, admin_client, customer, rows):
        data = form_data(customer, **{"addresses-TOTAL_FORMS": str(len(rows))})
        for index, (address, is_primary) in enumerate(rows):
            data[f"addresses-{index}-address"] = address
            if is_primary:
                data[f"addresses-{index}-is_primary"] = "on"

        response = admin_client.post(ADD_URL, data)

        assert response.status_code == 302
        contact = Contact.objects.get(customer=customer)
        assert addresses_of(contact) == [("ann@acme.example", True)]

    def test_the_main_address_and_case_repeats_among_further_addresses_are_stored_once(
        self, admin_client, customer
    ):
        response = admin_client.post(
            ADD_URL,
            form_data(
                customer,
                other_emails="ANN@acme.example, dup@acme.example\nDUP@acme.example",
            ),
        )

        assert response.status_code == 302
        contact = Contact.objects.get(customer=customer)
        assert addresses_of(contact) == [("ann@acme.example", True), ("dup@acme.example", False)]

    def test_an_invalid_further_address_is_refused(self, admin_client, customer):
        response = admin_client.post(ADD_URL, form_data(customer, other_emails="not-an-address"))

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["other_emails"] == [
            "“not-an-address” is not a valid email address."
        ]
        assert not Contact.objects.exists()

    def test_the_address_rows_are_read_only(self, admin_client):
        contact = ContactFactory(email="carl@acme.example")

        response = admin_client.get(change_url(contact))

        content = response.content.decode()
        assert 'name="addresses-0-address"' not in content
        assert 'name="addresses-0-DELETE"' not in content
        assert "carl@acme.example" in content
        assert response.context["adminform"].form["other_emails"].value() == ""


class TestSavingThroughTheServices:
    def test_a_valid_contact_is_added_with_its_addresses(self, admin_client, customer):
        response = admin_client.post(
            ADD_URL,
            form_data(customer, other_emails="a.archer@acme.example\nann@home.example"),
        )

        assert response.status_code == 302
        contact = Contact.objects.get(customer=customer)
        assert (contact.first_name, contact.email) == ("Ann", "ann@acme.example")
        assert addresses_of(contact) == [
            ("a.archer@acme.example", False),
            ("ann@acme.example", True),
            ("ann@home.example", False),
        ]

    def test_a_change_replaces_the_further_addresses(self, admin_client):
        contact = ContactFactory(email="carl@acme.example")
        ContactEmail.objects.create(contact=contact, address="old@acme.example")
        page = admin_client.get(change_url(contact))
        assert page.context["adminform"].form["other_emails"].value() == "old@acme.example"

        response = admin_client.post(
            change_url(contact),
            change_data(contact, email="Carl@Acme.example", other_emails="new@acme.example"),
        )

        assert response.status_code == 302
        contact.refresh_from_db()
        assert contact.email == "Carl@Acme.example"
        assert addresses_of(contact) == [("Carl@Acme.example", True), ("new@acme.example", False)]

    def test_a_further_address_can_become_the_main_address(self, admin_client):
        contact = ContactFactory(email="carl@acme.example")
        ContactEmail.objects.create(contact=contact, address="carl.c@acme.example")

        response = admin_client.post(
            change_url(contact),
            change_data(contact, email="carl.c@acme.example", other_emails="carl.c@acme.example"),
        )

        assert response.status_code == 302
        assert addresses_of(contact) == [("carl.c@acme.example", True)]

    def test_adding_a_main_contact_takes_the_flag_from_the_current_one(
        self, admin_client, customer
    ):
        current = ContactFactory(customer=customer, is_main=True)

        response = admin_client.post(ADD_URL, form_data(customer, is_main="on"))

        assert response.status_code == 302
        assert list(customer.contacts.filter(is_main=True)) == [
            Contact.objects.get(email="ann@acme.example")
        ]
        current.refresh_from_db()
        assert current.is_main is False

    def test_ticking_main_contact_on_a_change_moves_the_flag(self, admin_client, customer):
        current = ContactFactory(customer=customer, is_main=True)
        contact = ContactFactory(customer=customer)

        response = admin_client.post(change_url(contact), change_data(contact, is_main="on"))

        assert response.status_code == 302
        current.refresh_from_db()
        contact.refresh_from_db()
        assert (current.is_main, contact.is_main) == (False, True)

    def test_a_main_contact_moved_to_another_customer_becomes_its_main_contact(
        self, admin_client, customer
    ):
        contact = ContactFactory(is_main=True)
        current = ContactFactory(customer=customer, is_main=True)

        response = admin_client.post(
            change_url(contact), change_data(contact, customer=customer.pk, is_main="on")
        )

        assert response.status_code == 302
        assert list(customer.contacts.filter(is_main=True)) == [contact]
        current.refresh_from_db()
        assert current.is_main is False

    def test_unticking_main_contact_leaves_the_customer_without_one(self, admin_client, customer):
        contact = ContactFactory(customer=customer, is_main=True)

        response = admin_client.post(change_url(contact), change_data(contact))

        assert response.status_code == 302
        assert not customer.contacts.filter(is_main=True).exists()

    def test_an_inactive_new_main_contact_is_refused(self, admin_client, customer):
        response = admin_client.post(ADD_URL, form_data(customer, is_main="on", active=None))

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["is_main"] == [
            "An inactive contact cannot be the main contact; untick one."
        ]
        assert not Contact.objects.exists()

    def test_making_the_main_contact_inactive_is_refused(self, admin_client, customer):
        contact = ContactFactory(customer=customer, is_main=True)

        response = admin_client.post(
            change_url(contact), change_data(contact, is_main="on", active=None)
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["is_main"] == [
            "An inactive contact cannot be the main contact; untick one."
        ]
        contact.refresh_from_db()
        assert (contact.active, contact.is_main) == (True, True)
