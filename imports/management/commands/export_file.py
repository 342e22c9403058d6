"""Export customers or contacts in the import template's columns; .csv or .xlsx by name."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import exports
from imports.models import Kind


class Command(BaseCommand):
    help = "Export customers or contacts to PATH (.csv or .xlsx), in the template's columns."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("path", type=Path)

    def handle(self, *args, kind, path, **options):
        try:
            file_format = exports.format_of(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            target = path.open("wb")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        with target:
            count = exports.write_export(kind, file_format, target)
        self.stderr.write(f"wrote {count} {kind} to {path}")
