from django.utils.functional import SimpleLazyObject

from . import navigation as nav
from . import notifications, todo
from .roles import Role, roles_of


def navigation(request):
    """Navigation fitting the user's roles, with the 待办 and unread counts."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_entries": SimpleLazyObject(lambda: nav.entries_for(user)),
        "nav_todo_count": SimpleLazyObject(lambda: todo.total(user)),
        "nav_unread_count": SimpleLazyObject(lambda: notifications.unread_count(user)),
        "user_roles": SimpleLazyObject(lambda: [Role(r).label for r in sorted(roles_of(user))]),
    }
