"""Console pages for monitoring: alerts, a device's page, and the threshold profile editor."""

import logging
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.permissions import AdminRequiredMixin, StaffRequiredMixin
from customers.models import Customer

from . import charts, selectors, services
from .forms import (
    AlertFilterForm,
    DeviceProfileForm,
    SnoozeForm,
    ThresholdProfileForm,
    ThresholdRuleFormSet,
)
from .models import Alert, Device, ThresholdProfile
from .models.alerts import ACTIVE_STATES

logger = logging.getLogger(__name__)

ALERTS_PER_PAGE = 50


def back(request, fallback: str) -> HttpResponseRedirect:
    """Return to the page the action was taken on, if it is one of ours."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


class AlertListView(StaffRequiredMixin, ListView):
    template_name = "monitoring/alert_list.html"
    context_object_name = "alerts"
    paginate_by = ALERTS_PER_PAGE

    @cached_property
    def filters(self) -> AlertFilterForm:
        return AlertFilterForm(self.request.GET)

    @cached_property
    def now(self):
        return timezone.now()

    def paginate_queryset(self, queryset, page_size):
        # A mistyped or out-of-range page shows the nearest page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_queryset(self):
        return selectors.alert_list(
            self.now,
            customer_id=self.filters.value("customer"),
            severity=self.filters.value("severity"),
            state=self.filters.value("state", "active"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        context["filters"] = self.filters
        customer_id = self.filters.value("customer")
        # Only customers with devices can have alerts.
        # TODO(scale): past 500 such customers the picker is cut; a search field would scale.
        context["customers"] = (
            Customer.objects.filter(devices__isnull=False)
            .distinct()
            .order_by("name")
            .only("pk", "name")[:500]
        )
        context["selected_customer"] = customer_id
        context["snooze_form"] = SnoozeForm()
        context["now"] = self.now
        return context


class AlertActionView(StaffRequiredMixin, View):
    """Acknowledge or snooze one alert (POST only, CSRF-protected like every form)."""

    action = "acknowledge"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        alert = get_object_or_404(Alert, pk=pk)
        if self.action == "acknowledge":
            if services.acknowledge(alert, request.user):
                messages.success(request, _("Alert acknowledged."))
            else:
                messages.info(request, _("The alert was not open any more."))
        else:
            form = SnoozeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose how long to snooze the alert for."))
            elif services.snooze(
                alert, timezone.now() + timedelta(hours=form.cleaned_data["hours"]), request.user
            ):
                messages.success(request, _("Alert snoozed."))
            else:
                messages.info(request, _("The alert is resolved; there is nothing to snooze."))
        return back(request, reverse("monitoring:alerts"))


class DeviceDetailView(StaffRequiredMixin, DetailView):
    template_name = "monitoring/device_detail.html"
    context_object_name = "device"

    def get_queryset(self):
        return Device.objects.select_related(
            "customer", "customer__threshold_profile", "threshold_profile"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.object
        samples = selectors.history(device)
        context["samples"] = samples
        context["lines"] = charts.history_lines(
            samples,
            {
                "cpu_percent": _("CPU %"),
                "memory_percent": _("Memory %"),
                "disk_used_percent": _("Fullest volume %"),
            },
        )
        context["chart"] = {
            "width": charts.WIDTH,
            "height": charts.HEIGHT,
            "half": charts.HEIGHT // 2,
        }
        now = timezone.now()
        if device.uptime_seconds is not None:
            context["uptime"] = timesince(now - timedelta(seconds=device.uptime_seconds), now)
        context["profile"] = services.effective_profile(device)
        context["active_alerts"] = list(
            device.alerts.filter(state__in=ACTIVE_STATES).order_by("-opened_at")
        )
        context["recent_alerts"] = list(
            device.alerts.exclude(state__in=ACTIVE_STATES).order_by("-opened_at")[:10]
        )
        context["profile_form"] = DeviceProfileForm(
            initial={"threshold_profile": device.threshold_profile}
        )
        context["snooze_form"] = SnoozeForm()
        context["now"] = now
        return context


class DeviceRevokeView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        device = get_object_or_404(Device, pk=pk)
        if device.revoked_at is None:
            services.revoke_device(device, by=request.user)
            messages.success(request, _("Device revoked: its reports are refused from now on."))
        return redirect(device)


class DeviceProfileView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        device = get_object_or_404(Device, pk=pk)
        form = DeviceProfileForm(request.POST)
        if form.is_valid():
            services.set_device_profile(device, form.cleaned_data["threshold_profile"])
            messages.success(request, _("The device's threshold profile is saved."))
        else:
            messages.error(request, _("Choose a threshold profile from the list."))
        return redirect(device)


class ThresholdProfileListView(AdminRequiredMixin, ListView):
    template_name = "monitoring/profile_list.html"
    context_object_name = "profiles"

    def get_queryset(self):
        return ThresholdProfile.objects.annotate(
            rule_count=Count("rules", distinct=True),
            customer_count=Count("customers", distinct=True),
        ).order_by("-is_default", "name")


class ThresholdProfileEditView(AdminRequiredMixin, TemplateView):
    """One form for a profile and its rules (an inline formset); new when there is no pk."""

    template_name = "monitoring/profile_form.html"
    title = gettext_lazy("New threshold profile")

    @cached_property
    def profile(self) -> ThresholdProfile:
        if "pk" in self.kwargs:
            return get_object_or_404(ThresholdProfile, pk=self.kwargs["pk"])
        return ThresholdProfile()

    def forms(self, data=None):
        form = ThresholdProfileForm(data, instance=self.profile)
        rules = ThresholdRuleFormSet(
            data,
            instance=self.profile,
            prefix="rules",
            queryset=self.profile.rules.order_by("metric", "threshold", "pk")
            if self.profile.pk
            else None,
        )
        return form, rules

    def get(self, request, *args, **kwargs):
        form, rules = self.forms()
        return self.render_to_response(self.get_context_data(form=form, rules=rules))

    def post(self, request, *args, **kwargs):
        form, rules = self.forms(request.POST)
        if not (form.is_valid() and rules.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, rules=rules))
        profile = services.save_threshold_profile(
            form, rules, make_default=form.cleaned_data.get("make_default", False), by=request.user
        )
        messages.success(request, _("Threshold profile “%(name)s” saved.") % {"name": profile})
        return redirect("monitoring:profile", pk=profile.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = self.profile
        context["title"] = self.profile.name if self.profile.pk else self.title
        return context


def device_page(devices, page_number, per_page: int = 50):
    """One page of device rows with active alert counts; constant queries per page."""
    paginator = Paginator(selectors.device_rows(devices), per_page)
    return paginator.get_page(page_number)
