"""Staff sign-in, sign-out and the language switch."""

import logging

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .forms import LanguageForm, SignInForm
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
