"""Suppliers of an organization."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection
from ocilink.core.models import TimeStampedModel


class Supplier(TimeStampedModel):
    """A supplier an organization buys from; with an external connection, buyers can shop in its webshop."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(_("name"), max_length=200)
    external_connection = models.ForeignKey(
        Connection,
        verbose_name=_("external connection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppliers",
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name
