"""API permissions by role, from the same rules as the console (accounts.permissions)."""

from rest_framework import permissions

from accounts.permissions import is_admin, is_staff_member


class IsStaffMember(permissions.BasePermission):
    """Admins and technicians; contacts and anyone else are refused."""

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class StaffReadAdminWrite(permissions.BasePermission):
    """Technicians read; only admins create, change or delete (customers, contracts, …)."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return is_staff_member(request.user)
        return is_admin(request.user)


class StaffWriteAdminDelete(permissions.BasePermission):
    """Technicians read and edit (contacts); only admins delete."""

    def has_permission(self, request, view) -> bool:
        if request.method == "DELETE":
            return is_admin(request.user)
        return is_staff_member(request.user)
