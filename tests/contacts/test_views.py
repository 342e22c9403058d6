"""The contact pages: add, view, edit, main contact, permissions, delete, and who may do what."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Role, User
from contacts.models import Contact, ContactEmail
from customers.models import Customer

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough test password"


@pytest.fixture
def customer():
    return Customer.objects.create(name="Acme Corp")


@pytest.fixture
def contact(customer):
    return Contact.objects.create(
        customer=customer, first_name="Ada", last_name="Lovelace", email="ada@acme.example"
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def contact_data(**overrides) -> dict:
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@acme.example",
        "other_emails": "",
        "phone": "",
        "mobile": "",
        "department": "",
        "job_title": "",
        "notes": "",
        "active": "on",
    }
    data.update(overrides)
    return data


# Add


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TECHNICIAN])
def test_staff_add_a_contact_with_further_addresses(client, customer, role):
    user = User.objects.create_user(email=f"{role}@msp.example", password=PASSWORD, role=role)
    client.force_login(user)

    response = client.post(
        reverse("contacts:new", args=[customer.pk]),
        contact_data(other_emails="g.hopper@acme.example, GRACE@acme.example", phone="0123"),
    )

    contact = Contact.objects.get(email="grace@acme.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert contact.customer == customer
    assert contact.phone == "0123"
    assert not contact.is_main
    assert sorted(contact.addresses.values_list("address", flat=True)) == [
        "g.hopper@acme.example",
        "grace@acme.example",
    ]
    assert messages_of(response) == ["Contact “Grace Hopper” added."]


def test_add_form_shows_required_fields_and_the_customer(client, technician, customer):
    client.force_login(technician)

    response = client.get(reverse("contacts:new", args=[customer.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "New contact of Acme Corp" in html
    assert 'name="first_name"' in html
    assert 'name="other_emails"' in html
    assert "Show more" in html
    assert reverse("customers:detail", args=[customer.pk]) in html


def test_an_email_another_contact_uses_is_refused_and_nothing_is_written(
    client, technician, customer, contact
):
    other_customer = Customer.objects.create(name="Globex")
    client.force_login(technician)
    contacts_before = Contact.objects.count()
    addresses_before = ContactEmail.objects.count()

    response = client.post(
        reverse("contacts:new", args=[other_customer.pk]),
        contact_data(email="ADA@acme.example"),
    )

    assert response.status_code == 200
    assert "is used by Ada Lovelace (Acme Corp) already." in response.content.decode()
    assert Contact.objects.count() == contacts_before
    assert ContactEmail.objects.count() == addresses_before


def test_a_further_address_another_contact_uses_is_refused(client, technician, customer, contact):
    client.force_login(technician)

    response = client.post(
        reverse("contacts:new", args=[customer.pk]),
        contact_data(other_emails="ada@ACME.example"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["other_emails"]
    assert not Contact.objects.filter(email="grace@acme.example").exists()


def test_add_for_an_unknown_customer_is_404(client, technician):
    client.force_login(technician)

    assert client.get(reverse("contacts:new", args=[999_999])).status_code == 404
    assert client.post(reverse("contacts:new", args=[999_999]), contact_data()).status_code == 404
    assert not Contact.objects.exists()


# Contact page


def test_contact_page_shows_details_and_permissions(client, technician, contact):
    contact.phone = "0612"
    contact.mobile = "0799"
    contact.department = "Research"
    contact.job_title = "Analyst"
    contact.notes = "Prefers email."
    contact.save()
    ContactEmail.objects.create(contact=contact, address="countess@acme.example")
    client.force_login(technician)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Ada Lovelace",
        "ada@acme.example",
        "countess@acme.example",
        "0612",
        "0799",
        "Research",
        "Analyst",
        "Prefers email.",
        "Permissions",
        "Set as main contact",
        "Ignore email from this contact",
        "Portal access",
        "Invite to the portal",
    ):
        assert text in html, text
    assert reverse("contacts:set_main", args=[contact.pk]) in html
    assert reverse("contacts:permissions", args=[contact.pk]) in html
    # Only admins delete contacts, so technicians are not offered the button.
    assert reverse("contacts:delete", args=[contact.pk]) not in html


def test_contact_page_of_the_main_contact_shows_a_badge_not_the_button(
    client, admin_user, contact
):
    Contact.objects.filter(pk=contact.pk).update(is_main=True)
    client.force_login(admin_user)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    html = response.content.decode()
    assert 'class="badge ok">Main contact<' in html
    assert reverse("contacts:set_main", args=[contact.pk]) not in html
    assert reverse("contacts:delete", args=[contact.pk]) in html


def test_contact_page_runs_a_fixed_number_of_queries(
    client, technician, contact, django_assert_max_num_queries
):
    for number in range(6):
        ContactEmail.objects.create(contact=contact, address=f"alias{number}@acme.example")
    client.force_login(technician)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("contacts:detail", args=[contact.pk]))

    assert "alias5@acme.example" in response.content.decode()


def test_unknown_contact_is_404(client, admin_user):
    client.force_login(admin_user)

    for name in ("detail", "edit", "delete"):
        assert client.get(reverse(f"contacts:{name}", args=[999_999])).status_code == 404
    for name in ("set_main", "permissions", "delete"):
        assert client.post(reverse(f"contacts:{name}", args=[999_999])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, customer, contact):
    urls = [
        reverse("contacts:new", args=[customer.pk]),
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:edit", args=[contact.pk]),
        reverse("contacts:delete", args=[contact.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    response = client.post(reverse("contacts:set_main", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert not contact.is_main


# Edit


def test_technician_edits_a_contact(client, technician, contact):
    ContactEmail.objects.create(contact=contact, address="old-alias@acme.example")
    client.force_login(technician)
    url = reverse("contacts:edit", args=[contact.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "old-alias@acme.example" in page.content.decode()

    response = client.post(
        url,
        contact_data(
            first_name="Augusta Ada",
            last_name="King",
            email="ada.king@acme.example",
            other_emails="new-alias@acme.example",
            job_title="Countess",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    contact.refresh_from_db()
    assert contact.full_name == "Augusta Ada King"
    assert contact.job_title == "Countess"
    assert sorted(contact.addresses.values_list("address", flat=True)) == [
        "ada.king@acme.example",
        "new-alias@acme.example",
    ]
    assert messages_of(response) == ["Contact “Augusta Ada King” saved."]


def test_edit_refuses_an_address_of_another_contact(client, technician, customer, contact):
    Contact.objects.create(
        customer=customer, first_name="Grace", last_name="Hopper", email="grace@acme.example"
    )
    client.force_login(technician)

    response = client.post(
        reverse("contacts:edit", args=[contact.pk]),
        contact_data(first_name="Ada", last_name="Lovelace", email="Grace@Acme.example"),
    )

    assert response.status_code == 200
    assert "is used by Grace Hopper (Acme Corp) already." in response.content.decode()
    contact.refresh_from_db()
    assert contact.email == "ada@acme.example"


# Main contact


def test_set_main_moves_the_flag_from_the_old_main_contact(client, technician, customer, contact):
    old_main = Contact.objects.create(
        customer=customer,
        first_name="Grace",
        last_name="Hopper",
        email="grace@acme.example",
        is_main=True,
    )
    client.force_login(technician)

    response = client.post(reverse("contacts:set_main", args=[contact.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    contact.refresh_from_db()
    old_main.refresh_from_db()
    assert contact.is_main
    assert not old_main.is_main
    assert list(Contact.objects.filter(customer=customer, is_main=True)) == [contact]
    assert messages_of(response) == ["Ada Lovelace is now the main contact of Acme Corp."]


def test_set_main_leaves_other_customers_alone(client, technician, contact):
    other = Customer.objects.create(name="Globex")
    other_main = Contact.objects.create(
        customer=other,
        first_name="Hank",
        last_name="Scorpio",
        email="hank@globex.example",
        is_main=True,
    )
    client.force_login(technician)

    client.post(reverse("contacts:set_main", args=[contact.pk]))

    other_main.refresh_from_db()
    assert other_main.is_main


def test_set_main_answers_post_only(client, technician, contact):
    client.force_login(technician)

    response = client.get(reverse("contacts:set_main", args=[contact.pk]))

    assert response.status_code == 405
    contact.refresh_from_db()
    assert not contact.is_main


# Permissions


def test_ignore_email_toggles_on_and_off(client, technician, contact):
    client.force_login(technician)
    url = reverse("contacts:permissions", args=[contact.pk])

    response = client.post(url, {"ignore_email": "on"})
    contact.refresh_from_db()
    assert response.status_code == 302
    assert contact.ignore_email
    assert messages_of(response) == ["Mail from Ada Lovelace is now ignored."]

    response = client.post(url, {})
    contact.refresh_from_db()
    assert not contact.ignore_email
    assert messages_of(response)[-1] == "Mail from Ada Lovelace opens tickets again."


def test_permissions_form_leaves_the_other_fields_alone(client, technician, contact):
    ContactEmail.objects.create(contact=contact, address="alias@acme.example")
    client.force_login(technician)

    client.post(reverse("contacts:permissions", args=[contact.pk]), {"ignore_email": "on"})

    contact.refresh_from_db()
    assert contact.email == "ada@acme.example"
    assert contact.addresses.count() == 2


def test_permissions_answers_post_only(client, technician, contact):
    client.force_login(technician)

    assert client.get(reverse("contacts:permissions", args=[contact.pk])).status_code == 405


# Delete


def test_technician_may_not_delete_a_contact(client, technician, contact):
    client.force_login(technician)
    url = reverse("contacts:delete", args=[contact.pk])

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_admin_confirms_then_deletes_a_contact(client, admin_user, customer, contact):
    ContactEmail.objects.create(contact=contact, address="alias@acme.example")
    client.force_login(admin_user)
    url = reverse("contacts:delete", args=[contact.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete Ada Lovelace?" in confirm.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:contacts", args=[customer.pk])
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not ContactEmail.objects.filter(address__iexact="alias@acme.example").exists()
    assert messages_of(response) == ["Contact “Ada Lovelace” deleted."]


def test_deactivating_the_main_contact_removes_the_flag_and_says_so(admin_client):
    customer = Customer.objects.create(name="Demote Co")
    main = Contact.objects.create(
        customer=customer,
        first_name="M",
        last_name="Ain",
        email="m@demote.example",
        is_main=True,
    )
    response = admin_client.post(
        reverse("contacts:edit", args=[main.pk]),
        {"first_name": "M", "last_name": "Ain", "email": "m@demote.example"},
        follow=True,
    )
    main.refresh_from_db()
    assert (main.active, main.is_main) == (False, False)
    assert "no longer the main contact" in response.content.decode()


def test_too_many_other_addresses_is_a_form_error_not_a_500(admin_client):
    customer = Customer.objects.create(name="Many Addresses")
    addresses = "\n".join(f"a{i}@many.example" for i in range(2000))
    response = admin_client.post(
        reverse("contacts:new", args=[customer.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "ab@many.example",
            "other_emails": addresses,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "at most 50 other addresses" in response.content.decode()
    assert not Contact.objects.filter(customer=customer).exists()


def test_address_clash_ignores_case_of_accented_letters(admin_client):
    customer = Customer.objects.create(name="Accents")
    Contact.objects.create(
        customer=customer, first_name="U", last_name="Ser", email="u@ÉXAMPLE.com"
    )
    response = admin_client.post(
        reverse("contacts:new", args=[customer.pk]),
        {"first_name": "Other", "last_name": "One", "email": "u@éxample.com", "active": "on"},
    )
    assert response.status_code == 200
    assert "is used by U Ser" in response.content.decode()
