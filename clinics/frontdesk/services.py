"""Writes in a clinic's schema. Call inside the clinic's tenant context."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

# What each clinic role may do, by app label and action; new models inherit by app.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "manager": {
        "frontdesk": ("view", "add", "change", "delete"),
        "messaging": ("view", "add", "change", "delete"),
        "auth": ("view", "add", "change"),
        "auditlog": ("view",),
    },
    "receptionist": {
        "frontdesk": ("view", "add", "change"),
        "messaging": ("view", "add", "change"),
    },
    "nurse": {
        "frontdesk": ("view", "add", "change"),
        "messaging": ("view",),
    },
}


def ensure_staff_roles() -> dict[str, Group]:
    """Create or refresh the manager / receptionist / nurse groups of this clinic."""
    groups = {}
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if permission.codename.split("_", 1)[0] in grants.get(permission.content_type.app_label, ())
        ]
        group.permissions.set(permissions)
        groups[role] = group
    return groups


@transaction.atomic
def create_staff_member(*, email: str, password: str, role: str, first_name: str = ""):
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLE_PERMISSIONS)}.")
    groups = ensure_staff_roles()
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, first_name=first_name, is_staff=True
    )
    user.groups.add(groups[role])
    return user
