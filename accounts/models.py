"""Users: MSP staff and portal contacts; one user model, email as the login name, a role each."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    TECHNICIAN = "technician", _("Technician")
    CONTACT = "contact", _("Contact")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.TECHNICIAN)
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["role"] = Role.ADMIN
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive, as people type their address differently.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an MSP admin or technician (the console), or a customer's
    contact (the portal only; linked to exactly one Contact record)."""

    email = models.EmailField(
        verbose_name=_("email"),
        max_length=254,
        unique=True,
    )
    full_name = models.CharField(
        verbose_name=_("full name"),
        max_length=150,
        blank=True,
    )
    role = models.CharField(
        verbose_name=_("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.TECHNICIAN,
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty means the browser's language."),
    )
    contact = models.OneToOneField(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="portal_user",
        null=True,
        blank=True,
        help_text=_("For portal users only: the contact this sign-in belongs to."),
    )
    is_active = models.BooleanField(
        verbose_name=_("active"),
        default=True,
    )
    is_staff = models.BooleanField(
        verbose_name=_("Django admin access"),
        default=False,
    )
    date_joined = models.DateTimeField(
        verbose_name=_("date joined"),
        default=timezone.now,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="%(app_label)s_%(class)s_unique_email_ci",
                violation_error_message=_("A user with this email already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="%(app_label)s_%(class)s_role_valid",
            ),
            # A portal login always belongs to a contact; staff never do.
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.CONTACT, contact__isnull=False)
                    | (~models.Q(role=Role.CONTACT) & models.Q(contact__isnull=True))
                ),
                name="%(app_label)s_%(class)s_contact_iff_contact_role",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # The role is the one source of rights: admins may do everything, the Django admin
        # site included; technicians and contacts never reach it.
        is_admin_role = self.role == Role.ADMIN
        self.is_staff = is_admin_role
        self.is_superuser = is_admin_role
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_contact(self) -> bool:
        return self.role == Role.CONTACT

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN


class ApiToken(models.Model):
    """A key a user's scripts send as ``Authorization: Token <key>``; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        verbose_name=_("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script that uses it."),
    )
    key_hash = models.CharField(
        verbose_name=_("key hash"),
        max_length=64,
        unique=True,
        editable=False,
    )
    hint = models.CharField(
        verbose_name=_("key hint"),
        max_length=8,
        editable=False,
        help_text=_("The key's first characters, to tell tokens apart."),
    )
    created_at = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    last_used_at = models.DateTimeField(
        verbose_name=_("last used"),
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(
        verbose_name=_("revoked"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="accounts_tokens_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
