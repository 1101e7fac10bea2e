"""What ``ocilink demo`` needs before Django starts: a var/ folder with a secret key and a key ring, the demo on."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _keep(path: Path, make: str) -> None:
    if not path.exists():
        path.write_text(make + "\n")
        path.chmod(0o600)


def prepare_demo_environment() -> Path:
    """Create ``OCILINK_VAR_DIR`` with a secret key and a key ring kept across runs; switch the demo and DEBUG on."""
    var_dir = Path(os.environ.get("OCILINK_VAR_DIR", "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    _keep(var_dir / "secret_key", secrets.token_urlsafe(50))
    _keep(var_dir / "keyring", Fernet.generate_key().decode())
    os.environ["OCILINK_DEMO"] = "1"  # the demo app, its `demo` command and its middleware
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ORDERING_ALLOW_PRIVATE_TARGETS", "127.0.0.0/8,::1")  # the demo supplier inbox: loopback
    return var_dir
