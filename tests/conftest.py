"""Shared fixtures: staff users by role and test clients signed in as them."""

import pytest
from django.test import Client

from accounts.models import Role, User

STAFF_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def admin_user(db) -> User:
    """An MSP admin. Replaces pytest-django's fixture, which assumes a username field."""
    return User.objects.create_user(
        email="admin@msp.example", password=STAFF_PASSWORD, role=Role.ADMIN
    )


@pytest.fixture
def technician(db) -> User:
    return User.objects.create_user(
        email="tech@msp.example", password=STAFF_PASSWORD, role=Role.TECHNICIAN
    )


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def technician_client(technician) -> Client:
    client = Client()
    client.force_login(technician)
    return client
