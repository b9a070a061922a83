import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import audit

logger = logging.getLogger(__name__)


def _networks(entries):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from None
    return networks


def _is_in(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request, proxies):
    """The client's address: the connecting address, or, when that is a trusted proxy, the last
    address in X-Forwarded-For that is not one of the trusted proxies (the one nginx saw)."""
    address = request.META.get("REMOTE_ADDR") or None
    if not proxies or not address or not _is_in(address, proxies):
        return address
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for hop in reversed(forwarded):
        if not _is_in(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a forged, malformed entry: keep the proxy's address
    return address


class ClientAddressMiddleware:
    """Make the client address available to the audit helper for this request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = _networks(getattr(settings, "TRUSTED_PROXIES", []))

    def __call__(self, request):
        token = audit.client_address.set(client_address(request, self.proxies))
        try:
            return self.get_response(request)
        finally:
            audit.client_address.reset(token)


def maintenance_response():
    """The 503 page shown while the database does not answer (rendered without touching it)."""
    response = HttpResponse(render_to_string("maintenance.html"), status=503)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A database outage shows the Chinese maintenance page with status 503 instead of a 500.

    Placed right after the authentication middleware: loading the session and the user is the
    first thing a request asks of the database, and errors of the view are caught on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.user.is_authenticated  # noqa: B018  (loads the session and the user)
        except (OperationalError, InterfaceError):
            logger.error("database unavailable")
            if request.path != "/healthz":
                return maintenance_response()
            request.user = AnonymousUser()  # /healthz reports the outage itself, as JSON
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable: %s", exception.__class__.__name__)
            return maintenance_response()
        return None


class NoStoreMiddleware:
    """Pages for a signed-in user hold personal data (ID numbers, petitions): no browser or proxy keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SessionIdleMiddleware:
    """Session idle timeout: each request of a signed-in user renews the session, which ends
    SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) after the last one. Renewed at most once a
    minute, so that reading pages does not write the session row every time."""

    RENEW_AFTER = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get("_renewed", 0) >= self.RENEW_AFTER:
                request.session["_renewed"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account created or reset by an administrator sets its own password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .passwords import SESSION_KEY, password_changed

        user = request.user
        if not user.is_authenticated or not request.session.get(SESSION_KEY):
            return self.get_response(request)
        change_url = reverse("password_change")
        allowed = {change_url, reverse("password_change_done"), reverse("logout")}
        if request.path not in allowed:
            from django.contrib import messages

            messages.warning(request, "您的账号由管理员设置了初始密码，请先修改密码再使用系统。")
            return redirect(change_url)
        response = self.get_response(request)
        if request.path == change_url and request.method == "POST" and response.status_code == 302:
            password_changed(user)
            request.session.pop(SESSION_KEY, None)
        return response
