"""Settings for the test suite: the real settings, with test keys and fast password hashing."""

import os

from cryptography.fernet import Fernet

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("OCILINK_KEYRING", Fernet.generate_key().decode())
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ["DEBUG"] = "0"

from ocilink.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"
