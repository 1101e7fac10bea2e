"""The demo is a switch: production runs without the demo app and its dependencies, `ocilink demo` turns it on.

The production check runs in a fresh interpreter with the real settings (``ocilink.settings``) and nothing set for
the demo, where importing the demo webshop or a demo-only dependency (aiosmtpd, asyncssh, trustme) fails as if it
were not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ocilink.demo_webshop.environment import prepare_demo_environment

PRODUCTION = textwrap.dedent(
    """
    import importlib
    import pkgutil
    import sys

    DEMO_ONLY = ("ocilink.demo_webshop", "aiosmtpd", "asyncssh", "trustme")
    attempts = []


    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if any(name == top or name.startswith(top + ".") for top in DEMO_ONLY):
                attempts.append(name)
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    sys.meta_path.insert(0, NotInstalled())

    import django

    django.setup()

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command, get_commands
    from django.test import Client
    from django.urls import resolve, reverse

    assert settings.OCILINK_DEMO is False
    assert not apps.is_installed("ocilink.demo_webshop"), settings.INSTALLED_APPS
    assert [m for m in settings.MIDDLEWARE if "demo_webshop" in m] == [], settings.MIDDLEWARE
    commands = get_commands()
    assert "demo" not in commands
    assert {"serve", "worker", "migrate", "check"} <= commands.keys()

    import ocilink.urls

    assert resolve("/suppliers/").namespace == "suppliers"
    assert reverse("login") == "/accounts/login/"
    call_command("check", "--deploy", verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    assert Client().get("/accounts/login/").status_code == 200


    def import_all(package):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if module.name == "ocilink.demo_webshop" or module.name.endswith(".tests"):
                continue
            imported = importlib.import_module(module.name)
            if module.ispkg:
                import_all(imported)


    import_all(importlib.import_module("ocilink"))
    assert attempts == [], attempts
    print("production without the demo: ok")
    """
)


def test_production_settings_leave_the_demo_out_and_need_none_of_it(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"OCILINK_DEMO", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="ocilink.settings",
        SECRET_KEY="production-check-" + "x" * 50,
        OCILINK_KEYRING=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        OCILINK_VAR_DIR=str(tmp_path / "var"),
        ALLOWED_HOSTS="testserver",
    )

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "production without the demo: ok"


@pytest.fixture
def demo_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment for ``prepare_demo_environment``; monkeypatch restores the variables it sets."""
    monkeypatch.setenv("OCILINK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OCILINK_DEMO", "0")
    monkeypatch.delenv("DEBUG", raising=False)
    return tmp_path / "var"


def test_ocilink_demo_switches_the_demo_on(demo_environ: Path) -> None:
    var_dir = prepare_demo_environment()

    assert var_dir == demo_environ
    assert os.environ["OCILINK_DEMO"] == "1"
    assert os.environ["DEBUG"] == "1"
    assert (var_dir / "secret_key").exists()
    assert (var_dir / "keyring").exists()
