"""Staff sign-in, sign-out, the language switch and the user's own API tokens."""

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from . import tokens
from .forms import ApiTokenForm, LanguageForm, SignInForm
from .permissions import StaffRequiredMixin

logger = logging.getLogger(__name__)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class LanguageView(StaffRequiredMixin, View):
    """Store the chosen language on the user's profile and switch to it at once."""

    http_method_names = ["post"]

    def post(self, request):
        form = LanguageForm(request.POST)
        target = request.POST.get("next") or reverse("dashboard")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("dashboard")
        if not form.is_valid():
            return HttpResponseRedirect(target)

        language = form.cleaned_data["language"]
        request.user.language = language
        request.user.save(update_fields=["language"])
        response = HttpResponseRedirect(target)
        if language:
            translation.activate(language)
            response.set_cookie(
                "django_language", language, samesite="Lax", secure=request.is_secure()
            )
        else:
            response.delete_cookie("django_language")
        return response


class ApiTokenListView(StaffRequiredMixin, View):
    """The signed-in user's API tokens; a new token's key is shown once, on this answer."""

    template_name = "accounts/tokens.html"

    def render(self, request, form, new_key: str = ""):
        context = {
            "form": form,
            "new_key": new_key,
            "tokens": request.user.api_tokens.all(),
        }
        return render(request, self.template_name, context)

    def get(self, request):
        return self.render(request, ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        _token, key = tokens.issue_token(request.user, form.cleaned_data["name"])
        # Rendered, not redirected: the key must not travel through a URL or the session.
        response = self.render(request, ApiTokenForm(), new_key=key)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(StaffRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = get_object_or_404(request.user.api_tokens, pk=pk)
        tokens.revoke_token(token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
