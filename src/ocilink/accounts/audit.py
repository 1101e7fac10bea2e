"""The audit trail of an organization: who did what, when, on which object.

Call ``audit_log`` from a service, inside its transaction, after the write it records, so the event and the
change are kept or rolled back together. Platform staff's events are flagged, so an organization sees what the
consultant or support did inside it. Never put a secret into ``summary``.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, Organization
from .permissions import is_platform_staff

SUMMARY_MAX_CHARS = 2000


def audit_log(
    *, organization: Organization, actor: Any, action: str, obj: models.Model | None = None, summary: str = ""
) -> AuditEvent:
    """Record one event in the organization's audit trail.

    ``action`` is a short dotted code such as ``"supplier.updated"``; ``obj`` the row acted on (its type and id are
    kept, not a foreign key, so the event outlives the row); ``summary`` a sentence for people.
    """
    if obj is not None and getattr(obj, "organization_id", organization.pk) != organization.pk:
        raise ValueError("An audit event must name an object of its own organization.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        organization=organization,
        actor=user,
        action=action[:60],
        object_type=obj._meta.label_lower[:60] if obj is not None else "",
        object_id=str(obj.pk)[:60] if obj is not None and obj.pk is not None else "",
        summary=summary[:SUMMARY_MAX_CHARS],
        by_platform_staff=is_platform_staff(user=user),
    )
