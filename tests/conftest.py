"""Shared fixtures: staff users by role and test clients signed in as them."""

import os

import pytest
from django.test import Client

from accounts.models import Role, User

from .workers import database_url

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


@pytest.fixture
def worker_env(settings):
    """What this process and worker processes share: the test database, uploads, cache."""
    # One data folder for both sides: uploads, the file-system broker and the file cache
    # (when Redis is configured, broker and cache are Redis for both).
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    settings.ATERA_IMPORT_STALL_SECONDS = 2
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(),
        ATERA_DATA_DIR=str(settings.DATA_DIR),
        ATERA_IMPORT_STALL_SECONDS="2",
    )
    return env
