"""Portal access: invitations, sign-in and out, password reset, revoking, and keeping
contacts out of the console, the Django admin and the APIs."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User

from ..conftest import STAFF_PASSWORD
from ..factories import ContactFactory, CustomerFactory
from .conftest import PORTAL_PASSWORD, contact_client, portal_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-quarry-violin-77"


def link_in(message) -> str:
    return re.search(r"http://testserver(/portal/password/set/\S+/)", message.body).group(1)


@pytest.fixture
def contact(db):
    return ContactFactory(
        customer=CustomerFactory(name="Acme"), email="jane@acme.example", first_name="Jane"
    )


def invite(client, contact):
    return client.post(reverse("contacts:portal_invite", args=[contact.pk]))


@pytest.mark.parametrize("staff", ["admin_client", "technician_client"])
def test_staff_invite_a_contact_who_sets_a_password_once(request, staff, contact):
    client = request.getfixturevalue(staff)
    response = invite(client, contact)
    assert response.status_code == 302
    user = User.objects.get(contact=contact)
    assert user.role == Role.CONTACT
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jane@acme.example"]

    browser = Client()
    link = link_in(mail.outbox[0])
    form_url = browser.get(link, follow=True).redirect_chain[-1][0]
    weak = browser.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert "too common" in weak.content.decode() or "entirely numeric" in weak.content.decode()

    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == reverse("portal:set_password_done")
    signed_in = browser.post(
        reverse("portal:login"), {"username": "JANE@acme.example", "password": NEW_PASSWORD}
    )
    assert signed_in.url == reverse("portal:tickets")

    # The link is one-time: the password it set changed the token's inputs.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False


def test_invitation_link_expires(admin_client, contact, settings):
    settings.PASSWORD_RESET_TIMEOUT = -1
    invite(admin_client, contact)
    page = Client().get(link_in(mail.outbox[0]), follow=True)
    assert page.context["validlink"] is False


def test_a_new_invitation_voids_the_earlier_link(admin_client, contact):
    invite(admin_client, contact)
    invite(admin_client, contact)
    first, second = mail.outbox
    assert Client().get(link_in(first), follow=True).context["validlink"] is False
    assert Client().get(link_in(second), follow=True).context["validlink"] is True
    assert User.objects.filter(contact=contact).count() == 1


def test_inactive_contact_and_taken_address_are_not_invited(admin_client, contact, technician):
    contact.active = False
    contact.save()
    invite(admin_client, contact)
    assert mail.outbox == []

    other = ContactFactory(email=technician.email.upper())
    response = admin_client.post(reverse("contacts:portal_invite", args=[other.pk]), follow=True)
    assert "Another sign-in uses" in response.content.decode()
    assert mail.outbox == []


def test_revoking_access_ends_the_session_at_the_next_request(admin_client, contact):
    user = portal_user(contact)
    client = Client()
    client.post(reverse("portal:login"), {"username": user.email, "password": PORTAL_PASSWORD})
    assert client.get(reverse("portal:tickets")).status_code == 200

    admin_client.post(reverse("contacts:portal_revoke", args=[contact.pk]))

    response = client.get(reverse("portal:tickets"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))
    refused = Client().post(
        reverse("portal:login"), {"username": user.email, "password": PORTAL_PASSWORD}
    )
    assert refused.status_code == 200
    assert "not correct" in refused.content.decode()


def test_contact_page_shows_portal_state(admin_client, contact):
    page = admin_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Invite to the portal" in page
    invite(admin_client, contact)
    page = admin_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Invited" in page and "Revoke portal access" in page
    admin_client.post(reverse("contacts:portal_revoke", args=[contact.pk]))
    page = admin_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Portal access revoked" in page


@pytest.mark.parametrize(
    "path",
    ["/", "/customers/", "/tickets/", "/contacts/1/", "/sla/", "/imports/"],
)
def test_contacts_are_sent_back_to_the_portal_from_console_pages(contact, path):
    client = contact_client(portal_user(contact))
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("portal:tickets")


def test_contacts_never_reach_django_admin_nor_staff_apis(contact):
    user = portal_user(contact)
    assert not user.is_staff and not user.is_superuser
    client = contact_client(user)
    assert client.get("/django-admin/").url == reverse("portal:tickets")
    assert client.get("/api/v1/imports/").status_code == 403
    assert client.get("/api/v1/sla-policies/").status_code == 403


def test_console_sign_in_refuses_contacts_and_portal_refuses_staff(contact, technician):
    user = portal_user(contact)
    console = Client().post(
        reverse("accounts:login"), {"username": user.email, "password": PORTAL_PASSWORD}
    )
    assert console.status_code == 200
    assert "not correct" in console.content.decode()

    portal = Client().post(
        reverse("portal:login"), {"username": technician.email, "password": STAFF_PASSWORD}
    )
    assert portal.status_code == 200
    assert "not correct" in portal.content.decode()


def test_sign_out_ends_the_session(contact):
    client = contact_client(portal_user(contact))
    assert client.post(reverse("portal:logout")).url == reverse("portal:login")
    assert client.get(reverse("portal:tickets")).status_code == 302


def test_sign_in_locks_after_repeated_failures_whether_or_not_the_address_exists(
    contact, settings
):
    settings.PORTAL_SIGNIN_MAX_FAILURES = 3
    user = portal_user(contact)
    client = Client()
    for address in (user.email, "nobody@acme.example"):
        for _ in range(3):
            wrong = client.post(reverse("portal:login"), {"username": address, "password": "x"})
            assert "not correct" in wrong.content.decode()
        locked = client.post(reverse("portal:login"), {"username": address, "password": "x"})
        assert "Too many failed sign-ins" in locked.content.decode()

    # Locked means locked: the right password is refused too, until the lock ends.
    right = client.post(
        reverse("portal:login"), {"username": user.email, "password": PORTAL_PASSWORD}
    )
    assert "Too many failed sign-ins" in right.content.decode()
    from portal import throttle

    throttle.reset(user.email)
    right = client.post(
        reverse("portal:login"), {"username": user.email, "password": PORTAL_PASSWORD}
    )
    assert right.url == reverse("portal:tickets")


def test_password_reset_says_the_same_for_any_address_and_mails_contacts_only(contact, technician):
    user = portal_user(contact)
    pages = []
    for address in (user.email, "nobody@acme.example", technician.email):
        response = Client().post(reverse("portal:password_reset"), {"email": address}, follow=True)
        pages.append(response.content.decode().replace(address, ""))
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in mail.outbox] == [[user.email]]

    link = link_in(mail.outbox[0])
    browser = Client()
    form_url = browser.get(link, follow=True).redirect_chain[-1][0]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_every_portal_form_needs_a_csrf_token(contact):
    user = portal_user(contact)
    client = Client(enforce_csrf_checks=True)
    login = client.post(
        reverse("portal:login"), {"username": user.email, "password": PORTAL_PASSWORD}
    )
    assert login.status_code == 403
    client.force_login(user)
    assert client.post(reverse("portal:new_ticket"), {"subject": "x"}).status_code == 403
    assert client.post(reverse("portal:reply", args=[1]), {"body": "x"}).status_code == 403
    assert client.post(reverse("portal:password_reset"), {"email": "a@b.c"}).status_code == 403
    page = client.get(reverse("portal:new_ticket")).content.decode()
    assert "csrfmiddlewaretoken" in page
