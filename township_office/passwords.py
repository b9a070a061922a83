"""Password rules for 等保2.0 level 3, and the first sign-in password change.

At least 8 characters (Django's MinimumLengthValidator), three of the four character classes,
and not containing the username. An account created or reset by an administrator must set
its own password at the next sign-in (``PasswordChangeRequired``; the demo accounts are exempt:
they are created by ``seed_demo``, never through the admin).
"""

import string

from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", lambda c: c in string.digits),
    ("特殊字符", lambda c: not c.isalnum() or not c.isascii()),
]


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with its message in Chinese (Django 5.2's own zh-hans text no longer matches its source)."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CharacterClassValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, other characters."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(self._message(), code="password_too_simple")

    def _message(self):
        return f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {self.min_classes} 类。"

    def get_help_text(self):
        return self._message()


class UsernameNotContainedValidator:
    """The password must not contain the username (in any case)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


# Set in the session at sign-in when the account must change its password (no query per request).
SESSION_KEY = "must_change_password"


def must_change_password(user):
    from .ops_models import PasswordChangeRequired

    return PasswordChangeRequired.objects.filter(user_id=user.pk).exists()


def require_change(user):
    """An administrator set this account's password: the person must choose their own next."""
    from .ops_models import PasswordChangeRequired

    PasswordChangeRequired.objects.get_or_create(user_id=user.pk)


def password_changed(user):
    from .ops_models import PasswordChangeRequired

    PasswordChangeRequired.objects.filter(user_id=user.pk).delete()


def _flag_session_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and must_change_password(user):
        request.session[SESSION_KEY] = True


def connect():
    """Called once the apps are ready (``TownshipOfficeConfig.ready``)."""
    user_logged_in.connect(_flag_session_at_sign_in, dispatch_uid="township_office.password_change_required")
