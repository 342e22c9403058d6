"""Template context every console page needs: the signed-in user's role."""

from .permissions import is_admin


def roles(request) -> dict:
    return {"user_is_admin": is_admin(request.user)}
