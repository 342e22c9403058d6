"""Create the first admin from DJANGO_SUPERUSER_EMAIL / DJANGO_SUPERUSER_PASSWORD."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role


class Command(BaseCommand):
    help = (
        "Create the first admin from DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD "
        "when both are set and no admin exists yet; otherwise say how to create one."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            self.stdout.write("An admin exists already; nothing to do.")
            return

        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if not email or not password:
            self.stdout.write(
                self.style.WARNING(
                    "No admin exists yet. Create one with:\n"
                    "  .venv/bin/python manage.py createsuperuser\n"
                    "or set DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD and run "
                    "'make run' again."
                )
            )
            return

        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            raise CommandError("DJANGO_SUPERUSER_PASSWORD: " + " ".join(exc.messages)) from exc
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(
                f"{email} exists but is not an active admin; change it in the admin."
            )

        User.objects.create_superuser(email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created admin {email}."))
