"""Read one message from a file or standard input (an MTA pipe) and turn it into a ticket."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tickets.inbound import receive


class Command(BaseCommand):
    help = "Receive one email message (a file, or - for standard input) as support mail."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="an .eml file, or - (stdin)")

    def handle(self, *args, path: str, **options):
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            try:
                raw = Path(path).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        result = receive(raw)
        self.stdout.write(result.line)
