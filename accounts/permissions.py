"""Who may do what in the console, by role. Views use these and nothing else."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .models import Role


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def is_staff_member(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.role in (Role.ADMIN, Role.TECHNICIAN)
    )


class StaffRequiredMixin(LoginRequiredMixin):
    """Any signed-in admin or technician; anyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_member(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminRequiredMixin(LoginRequiredMixin):
    """Admins only: technicians get 403, as the role table says."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
