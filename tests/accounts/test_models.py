"""Staff users: email as a case-insensitive login name, roles, and the bootstrap_admin command."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Plum-orbit-47-lantern"


class TestUser:
    def test_the_database_refuses_an_email_differing_only_in_case(self):
        User.objects.create_user(email="Ann@msp.example", password=DEFAULT_PASSWORD)

        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create_user(email="ann@MSP.example", password=DEFAULT_PASSWORD)

        assert User.objects.count() == 1

    def test_natural_key_lookup_ignores_case(self):
        user = UserFactory(email="Ann@msp.example")

        assert User.objects.get_by_natural_key("ANN@MSP.EXAMPLE") == user

    def test_sign_in_ignores_the_case_of_the_address(self):
        user = UserFactory(email="ann@msp.example")

        assert authenticate(email="ANN@msp.example", password=DEFAULT_PASSWORD) == user
        assert authenticate(email="ann@msp.example", password="wrong") is None

    def test_create_user_makes_a_technician_with_a_hashed_password(self):
        user = User.objects.create_user(email=" tech@MSP.example ", password=DEFAULT_PASSWORD)

        assert user.email == "tech@msp.example"
        assert user.role == Role.TECHNICIAN
        assert (user.is_staff, user.is_superuser, user.is_admin) == (False, False, False)
        assert user.password != DEFAULT_PASSWORD
        assert user.check_password(DEFAULT_PASSWORD)

    def test_create_user_needs_an_email(self):
        with pytest.raises(ValueError, match="email"):
            User.objects.create_user(email="", password=DEFAULT_PASSWORD)

    def test_create_superuser_gives_the_admin_role(self):
        user = User.objects.create_superuser(
            email="root@msp.example", password=DEFAULT_PASSWORD, role=Role.TECHNICIAN
        )

        assert user.role == Role.ADMIN
        assert (user.is_staff, user.is_superuser, user.is_admin) == (True, True, True)

    def test_an_inactive_admin_is_not_an_admin(self, admin_user):
        assert admin_user.is_admin is True

        admin_user.is_active = False

        assert admin_user.is_admin is False

    def test_the_database_refuses_an_unknown_role(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(role="owner")

    def test_the_shared_fixtures_are_signed_in_by_role(self, admin_client, technician_client):
        admin_id = admin_client.session["_auth_user_id"]
        technician_id = technician_client.session["_auth_user_id"]

        assert User.objects.get(pk=admin_id).role == Role.ADMIN
        assert User.objects.get(pk=technician_id).role == Role.TECHNICIAN


class TestBootstrapAdmin:
    @pytest.fixture(autouse=True)
    def no_admin_variables(self, monkeypatch):
        monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
        monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    def run(self) -> str:
        out = StringIO()
        call_command("bootstrap_admin", stdout=out)
        return out.getvalue()

    def test_creates_an_admin_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", " boss@msp.example ")
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

        output = self.run()

        user = User.objects.get()
        assert user.email == "boss@msp.example"
        assert user.role == Role.ADMIN
        assert user.check_password(STRONG_PASSWORD)
        assert "Created admin boss@msp.example." in output

    def test_does_nothing_when_an_admin_exists(self, monkeypatch, admin_user):
        monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@msp.example")
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

        output = self.run()

        assert list(User.objects.values_list("email", flat=True)) == [admin_user.email]
        assert "An admin exists already; nothing to do." in output

    def test_an_inactive_admin_does_not_count(self, monkeypatch, admin_user):
        admin_user.is_active = False
        admin_user.save()
        monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@msp.example")
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

        self.run()

        assert User.objects.get(email="boss@msp.example").is_admin

    @pytest.mark.parametrize(
        "variables",
        [{}, {"DJANGO_SUPERUSER_EMAIL": "boss@msp.example"}, {"DJANGO_SUPERUSER_PASSWORD": "x"}],
    )
    def test_says_how_to_create_one_when_the_variables_are_unset(self, monkeypatch, variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

        output = self.run()

        assert not User.objects.exists()
        assert "No admin exists yet." in output
        assert "manage.py createsuperuser" in output
        assert "DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD" in output

    @pytest.mark.parametrize("password", ["password", "short", "12345678901"])
    def test_a_weak_password_is_an_error(self, monkeypatch, password):
        monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@msp.example")
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)

        with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
            self.run()

        assert not User.objects.exists()

    def test_an_existing_technician_with_that_address_is_an_error(self, monkeypatch, technician):
        monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", technician.email.upper())
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

        with pytest.raises(CommandError, match="is not an active admin"):
            self.run()

        technician.refresh_from_db()
        assert technician.role == Role.TECHNICIAN
