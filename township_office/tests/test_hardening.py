"""Deployment hardening: headers, proxies, sessions, password rules, first sign-in, login required."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from township_office import audit
from township_office.demo import DEMO_PASSWORD
from township_office.middleware import ClientAddressMiddleware, _networks, client_address
from township_office.models import User
from township_office.passwords import require_change


def test_anonymous_visitor_is_sent_to_login_but_healthz_and_login_are_public(client, township):
    response = client.get(reverse("township_office:todo"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


def test_content_security_policy_allows_no_inline_script(client, township):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and directives["frame-ancestors"] == "'none'"


def test_pages_for_signed_in_people_are_not_stored(client_for, clerk):
    response = client_for(clerk).get(reverse("township_office:todo"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("10.0.0.5", "", "10.0.0.5"),  # no proxy in front
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # nginx on the same host
        ("127.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # a forged first entry is ignored
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not a trusted proxy: header ignored
        ("127.0.0.1", "garbage", "127.0.0.1"),
    ],
)
def test_client_address_behind_trusted_proxy(remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request, _networks(["127.0.0.1", "10.8.0.0/16"])) == expected


def test_audit_records_the_forwarded_address_with_trusted_proxy(clerk, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def view(request):
        return HttpResponse(audit.record("测试", by=clerk).client_address)

    behind_nginx = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert ClientAddressMiddleware(view)(behind_nginx).content == b"203.0.113.7"
    settings.TRUSTED_PROXIES = []
    assert ClientAddressMiddleware(view)(behind_nginx).content == b"127.0.0.1"


def test_session_ends_after_idle_timeout(client_for, clerk, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(clerk)
    assert client.get(reverse("township_office:todo")).status_code == 200
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(minutes=30, seconds=5)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 minutes without a request
    assert client.get(reverse("township_office:todo")).status_code == 302


@pytest.mark.parametrize("password", ["changguan", "Changguan", "changguan2026", "abc12345", "Ab1!"])
def test_weak_passwords_are_refused(password, clerk):
    with pytest.raises(ValidationError):
        validate_password(password, clerk)


def test_password_rules_speak_chinese(clerk):
    with pytest.raises(ValidationError) as error:
        validate_password("changguan", clerk)
    assert error.value.messages == ["密码须包含大写字母、小写字母、数字、特殊字符中的至少 3 类。"]
    with translation.override("zh-hans"):  # as in a request (LocaleMiddleware)
        with pytest.raises(ValidationError) as error:
            validate_password("Ab1!xyz", clerk)
        assert error.value.messages == ["密码太短，至少需要 8 个字符。"]
        with pytest.raises(ValidationError) as error:
            validate_password("12345678", clerk)
        assert "密码只包含数字。" in error.value.messages
    with pytest.raises(ValidationError, match="不能包含用户名"):
        validate_password("Xx#" + clerk.username + "9", clerk)


@pytest.mark.parametrize("password", ["Changguan2026", "xiang#zhen2026", "公文Flow2026"])
def test_strong_passwords_pass(password, clerk):
    validate_password(password, clerk)


def test_account_set_by_admin_must_change_password_first(client, clerk):
    require_change(clerk)
    client.force_login(clerk)
    response = client.get(reverse("township_office:todo"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Sunyue#2027x", "new_password2": "Sunyue#2027x"},
    )
    assert response.status_code == 302
    assert client.get(reverse("township_office:todo")).status_code == 200


def test_demo_accounts_sign_in_without_a_forced_change(client, township):
    assert client.post("/accounts/login/", {"username": "clerk", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get(reverse("township_office:todo")).status_code == 200


def test_seed_demo_refuses_without_demo_flag_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--demo"):
        call_command("seed_demo")
    assert not User.objects.filter(username="clerk").exists()


def test_production_values_of_env_example_pass_check_deploy(tmp_path):
    """What `make check-deploy` runs: `check --deploy` with the PRODUCTION lines of .env.example."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    production = {}
    for line in (root / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("# PRODUCTION:"):
            name, _, value = line.removeprefix("# PRODUCTION:").strip().partition("=")
            production[name] = value
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES", "TRUSTED_PROXIES"} <= set(production)
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is no part of a deployment.
    unset = ("SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(production, DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="township_office.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
