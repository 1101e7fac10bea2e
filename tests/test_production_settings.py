"""Outside the demo the settings need their secrets and database given, and fail with an explanation otherwise.

Each check starts Django in a fresh interpreter with the real settings (``ocilink.settings``), a clean environment
(none of the suite's variables) and, as its current directory, a folder whose ``var/`` holds a secret key and a key
ring as ``ocilink demo`` leaves them: outside the demo they must never be read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

SETUP = "import django; django.setup()"
SHOW = SETUP + "; from django.conf import settings as s; print(({names},))"
DEMO_SECRET_KEY = "demo-secret-key-from-var-" + "d" * 40
KEYRING = Fernet.generate_key().decode()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A current directory with a demo's var/ folder in it."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "secret_key").write_text(DEMO_SECRET_KEY + "\n")
    (var / "keyring").write_text(Fernet.generate_key().decode() + "\n")
    return tmp_path


def _run(folder: Path, code: str = SETUP, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "ocilink.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def _sqlite(folder: Path) -> str:
    return f"sqlite:///{folder / 'explicit.sqlite3'}"


def _raw(folder: Path) -> str:
    return str(folder / "raw-documents")


def test_a_missing_secret_key_fails_with_an_explanation_and_var_is_not_read(folder):
    result = _run(folder, OCILINK_KEYRING=KEYRING, DATABASE_URL=_sqlite(folder))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "ocilink generate_key --secret-key" in result.stderr
    assert DEMO_SECRET_KEY not in result.stderr


def test_a_missing_key_ring_fails_with_an_explanation(folder):
    result = _run(folder, SECRET_KEY="s" * 60, DATABASE_URL=_sqlite(folder))

    assert result.returncode != 0
    assert "OCILINK_KEYRING is not set" in result.stderr
    assert "ocilink generate_key" in result.stderr


def test_a_missing_database_url_fails_with_an_explanation_and_no_sqlite_file_appears(folder):
    result = _run(folder, SECRET_KEY="s" * 60, OCILINK_KEYRING=KEYRING)

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert "sqlite:///" in result.stderr  # it says how to ask for SQLite explicitly
    assert sorted(p.name for p in (folder / "var").iterdir()) == ["keyring", "secret_key"]


def test_everything_given_outside_the_demo_works(folder):
    result = _run(
        folder,
        SHOW.format(names="s.SECRET_KEY, s.OCILINK_KEYRING, s.DATABASES['default']['NAME'], s.OCILINK_DEMO"),
        SECRET_KEY="s" * 60,
        OCILINK_KEYRING=KEYRING,
        DATABASE_URL=_sqlite(folder),
        RAW_DOCUMENTS_DIR=_raw(folder),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(("s" * 60, [KEYRING], str(folder / "explicit.sqlite3"), False))


def test_the_demo_may_use_its_var_folder_and_its_sqlite_default(folder):
    names = "s.SECRET_KEY, s.DATABASES['default']['NAME'], s.STORAGES['raw_documents']['OPTIONS']['location']"
    result = _run(folder, SHOW.format(names=names), OCILINK_DEMO="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        (DEMO_SECRET_KEY, str(folder / "var" / "ocilink.sqlite3"), str(folder / "var" / "raw-documents"))
    )


def test_a_missing_raw_documents_dir_fails_with_an_explanation_and_var_is_not_used(folder):
    result = _run(folder, SECRET_KEY="s" * 60, OCILINK_KEYRING=KEYRING, DATABASE_URL=_sqlite(folder))

    assert result.returncode != 0
    assert "RAW_DOCUMENTS_DIR is not set" in result.stderr
    assert "RAW_DOCUMENTS_STORAGE" in result.stderr  # it names the other way too
    assert sorted(p.name for p in (folder / "var").iterdir()) == ["keyring", "secret_key"]


def test_the_raw_documents_are_private_files_in_the_folder_given(folder):
    result = _run(
        folder,
        SHOW.format(names="s.STORAGES['raw_documents']"),
        SECRET_KEY="s" * 60,
        OCILINK_KEYRING=KEYRING,
        DATABASE_URL=_sqlite(folder),
        RAW_DOCUMENTS_DIR=_raw(folder),
    )

    assert result.returncode == 0, result.stderr
    expected = {
        "BACKEND": "ocilink.core.raw_documents.PrivateFileSystemStorage",
        "OPTIONS": {"location": _raw(folder)},
    }
    assert result.stdout.strip() == str((expected,))


def test_another_storage_backend_for_raw_documents_comes_from_the_environment(folder):
    code = (
        SETUP + "; from django.core.files.storage import storages; from ocilink.core import raw_documents; "
        "name = raw_documents.save(raw_documents.new_name('t', 'k'), b'kept'); "
        "print(type(storages['raw_documents']).__name__, storages['raw_documents'].base_url, "
        "raw_documents.read(name, limit=10))"
    )
    result = _run(
        folder,
        code,
        SECRET_KEY="s" * 60,
        OCILINK_KEYRING=KEYRING,
        DATABASE_URL=_sqlite(folder),
        RAW_DOCUMENTS_STORAGE="django.core.files.storage.InMemoryStorage",
        RAW_DOCUMENTS_STORAGE_OPTIONS='{"base_url": "/never-served/"}',
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "InMemoryStorage /never-served/ b'kept'"


def test_storage_options_that_are_no_json_object_are_refused_with_an_explanation(folder):
    for options, says in (("{bucket", "must be a JSON object"), ('["a"]', "not a list or a value")):
        result = _run(
            folder,
            SECRET_KEY="s" * 60,
            OCILINK_KEYRING=KEYRING,
            DATABASE_URL=_sqlite(folder),
            RAW_DOCUMENTS_DIR=_raw(folder),
            RAW_DOCUMENTS_STORAGE_OPTIONS=options,
        )

        assert result.returncode != 0
        assert "RAW_DOCUMENTS_STORAGE_OPTIONS" in result.stderr
        assert says in result.stderr


def test_the_demo_without_its_var_folder_says_how_to_make_one(tmp_path):
    result = _run(tmp_path, OCILINK_DEMO="1")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ocilink demo" in result.stderr


def test_hsts_comes_from_the_environment_and_is_off_by_default(folder):
    names = "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS"
    given = {
        "SECRET_KEY": "s" * 60,
        "OCILINK_KEYRING": KEYRING,
        "DATABASE_URL": _sqlite(folder),
        "RAW_DOCUMENTS_DIR": _raw(folder),
    }

    default = _run(folder, SHOW.format(names=names), **given)
    production = _run(
        folder,
        SHOW.format(names=names),
        **given,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
    )

    assert default.stdout.strip() == "(0, False)", default.stderr
    assert production.stdout.strip() == "(31536000, True)", production.stderr


def test_trusted_proxies_come_from_the_environment(folder):
    result = _run(
        folder,
        SHOW.format(names="s.TRUSTED_PROXIES, s.AXES_CLIENT_IP_CALLABLE"),
        SECRET_KEY="s" * 60,
        OCILINK_KEYRING=KEYRING,
        DATABASE_URL=_sqlite(folder),
        RAW_DOCUMENTS_DIR=_raw(folder),
        TRUSTED_PROXIES=" 10.0.0.2, 10.1.0.0/16 ,",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str((["10.0.0.2", "10.1.0.0/16"], "ocilink.accounts.lockout.client_address"))


def test_a_trusted_proxy_that_is_no_address_is_refused_with_an_explanation(folder):
    result = _run(
        folder,
        SECRET_KEY="s" * 60,
        OCILINK_KEYRING=KEYRING,
        DATABASE_URL=_sqlite(folder),
        RAW_DOCUMENTS_DIR=_raw(folder),
        TRUSTED_PROXIES="10.0.0.2,proxy.example.com",
    )

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
    assert "'proxy.example.com'" in result.stderr


def _ocilink() -> str:
    return str(Path(sys.executable).with_name("ocilink"))


def test_generate_key_needs_no_configuration(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}

    keyring = subprocess.run([_ocilink(), "generate_key"], cwd=tmp_path, env=env, capture_output=True, text=True)
    secret = subprocess.run(
        [_ocilink(), "generate_key", "--secret-key"], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert keyring.returncode == 0, keyring.stderr
    Fernet(keyring.stdout.strip().encode())  # a valid Fernet key
    assert secret.returncode == 0, secret.stderr
    assert len(secret.stdout.strip()) >= 50
    assert len(set(secret.stdout.strip())) >= 5


def test_the_ocilink_command_explains_a_configuration_error_without_a_traceback(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}

    result = subprocess.run([_ocilink(), "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
