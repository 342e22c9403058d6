"""Staff sign-in and sign-out, and what each role reaches."""

import pytest
from django.urls import reverse

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_sign_in_is_case_insensitive_and_lands_on_the_dashboard(client, admin_user):
    response = client.post(
        reverse("accounts:login"),
        {"username": "ADMIN@msp.example", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_wrong_password_says_so_without_telling_which_part(client, admin_user):
    response = client.post(
        reverse("accounts:login"), {"username": admin_user.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "The email address or password is not correct." in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(admin_client):
    assert admin_client.get("/").status_code == 200
    response = admin_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert admin_client.get("/").status_code == 302


def test_the_role_decides_django_admin_access(client):
    admin = User.objects.create_user(email="boss@msp.example", password="x", role=Role.ADMIN)
    tech = User.objects.create_user(email="tech2@msp.example", password="x")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert (tech.is_staff, tech.is_superuser) == (False, False)

    client.force_login(admin)
    assert client.get("/django-admin/customers/customer/").status_code == 200
    client.force_login(tech)
    assert client.get("/django-admin/customers/customer/").status_code == 302

    tech.role = Role.ADMIN
    tech.save()
    tech.role = Role.TECHNICIAN
    tech.save()
    tech.refresh_from_db()
    assert (tech.is_staff, tech.is_superuser) == (False, False)


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in ("/", "/customers/", "/sla/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
