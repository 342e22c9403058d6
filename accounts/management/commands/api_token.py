"""Issue an API token for a user and print its key, which is shown this once only."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Create an API token for the user with EMAIL and print its key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {email!r}.")
        if not name.strip() or len(name) > 100:
            raise CommandError("Give the token a name of 1 to 100 characters.")
        _token, key = issue_token(user, name.strip())
        self.stdout.write(key)
