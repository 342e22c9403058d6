"""Portal forms: sign-in (throttled), password reset for contacts, tickets and replies."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from tickets.choices import Priority, TicketStatus

from . import throttle

PAGE_SIZE = 25


class PortalSignInForm(AuthenticationForm):
    """Contacts only; staff and unknown addresses get the same answer as a wrong password."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The email address or password is not correct."),
        "inactive": _("The email address or password is not correct."),
        "locked": _("Too many failed sign-ins. Wait a few minutes, then try again."),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if email and throttle.is_locked(email):
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                throttle.record_failure(email)
            raise
        throttle.reset(email)
        return cleaned

    def confirm_login_allowed(self, user):
        if not user.is_active or user.role != Role.CONTACT or not user.contact.active:
            raise self.get_invalid_login_error()


class PortalPasswordResetForm(PasswordResetForm):
    """Mails a reset link to active portal users only; the page says the same either way."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        return User.objects.filter(
            email__iexact=email,
            role=Role.CONTACT,
            is_active=True,
            contact__active=True,
        ).select_related("contact")


class TicketSearchForm(forms.Form):
    """The portal list's search and status filter, read from the query string."""

    q = forms.CharField(label=_("Search by subject"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("active", _("Not resolved")), *TicketStatus.choices],
        required=False,
    )

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class PortalTicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
