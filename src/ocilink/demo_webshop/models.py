"""The demo webshop's own data: the OCI accounts it accepts (a real shop keeps these on its side)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class ShopAccount(models.Model):
    """An OCI account of the demo webshop: what a supplier hands a customer as username and password."""

    username = models.CharField(max_length=100, unique=True)
    password_hash = models.CharField(max_length=200)
    customer_name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.username} ({self.customer_name})"

    def set_password(self, raw: str) -> None:
        self.password_hash = make_password(raw)

    set_password.alters_data = True  # type: ignore[attr-defined]

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password_hash)
