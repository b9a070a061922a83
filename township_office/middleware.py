from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from . import audit

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/healthz")


class ClientAddressMiddleware:
    """Make the client address available to the audit helper for this request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_proxy = getattr(settings, "TRUST_X_FORWARDED_FOR", False)

    def __call__(self, request):
        address = request.META.get("REMOTE_ADDR")
        if self.trust_proxy and request.META.get("HTTP_X_FORWARDED_FOR"):
            address = request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
        token = audit.client_address.set(address or None)
        try:
            return self.get_response(request)
        finally:
            audit.client_address.reset(token)


class LoginRequiredMiddleware:
    """Every page but the login page needs a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
