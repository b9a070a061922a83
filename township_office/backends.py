"""Signing in and loading the signed-in person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .roles import remember_groups


class OfficeBackend(ModelBackend):
    """Django's username and password backend, loading with the signed-in person, in the same query, what every
    page asks of them: their groups (their roles and their department's group) and how many of their
    notifications are unread (the badge in the navigation).

    The query joins the person's groups, so it returns one row per group (one row with no group for a person who
    has none); the unread count is a subquery, the same on every row."""

    def get_user(self, user_id):
        from .models import Notification

        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(count=Count("pk"))
            .values("count")
        )
        rows = list(
            get_user_model()
            ._default_manager.filter(pk=user_id)
            .annotate(
                loaded_group_id=F("groups__pk"),
                loaded_group_name=F("groups__name"),
                loaded_unread=Coalesce(Subquery(unread), 0),
            )
        )
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        remember_groups(user, [(row.loaded_group_id, row.loaded_group_name) for row in rows if row.loaded_group_id])
        user.unread_notifications_at_load = user.loaded_unread
        return user
