"""Settings for the test suite: the real settings, with the demo on, test keys and fast password hashing."""

import os
import tempfile

from cryptography.fernet import Fernet

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("OCILINK_KEYRING", Fernet.generate_key().decode())
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ["DEBUG"] = "0"
os.environ["OCILINK_DEMO"] = "1"  # the tests use the demo webshop and its supplier inbox as real counterparts
os.environ.setdefault("ORDERING_ALLOW_PRIVATE_TARGETS", "127.0.0.0/8,::1")  # the supplier inbox runs on loopback
# Raw documents in a folder of their own, never the demo's var/ (each test gets a fresh one: tests/conftest.py).
os.environ.setdefault("RAW_DOCUMENTS_DIR", tempfile.mkdtemp(prefix="ocilink-raw-"))

from ocilink.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the crash test runs real worker processes against the test database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="ocilink-test-"), "test.sqlite3")
    }
