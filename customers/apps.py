from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def unicode_lower_for_sqlite(sender, connection, **kwargs) -> None:
    """Make SQLite's LOWER() fold every letter, as PostgreSQL's does.

    SQLite's own LOWER() folds ASCII only, so "Élan" and "élan" would not clash under the
    case-insensitive unique constraints on customer names and contact addresses.
    """
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "LOWER",
        1,
        lambda value: value.lower() if value is not None else None,
        deterministic=True,
    )


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        connection_created.connect(unicode_lower_for_sqlite, dispatch_uid="unicode-lower")
