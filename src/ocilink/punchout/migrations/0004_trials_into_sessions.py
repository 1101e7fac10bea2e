# Every test punchout becomes a punchout session with the same id (so its report link, and the sealed account and
# token bound to that id, keep working), and the cart it received becomes that session's cart return. Plain ORM
# writes only: the same on SQLite and PostgreSQL.

import secrets

from django.db import migrations

ROUNDTRIP_TEST = "roundtrip_test"
SUPPLIER_SELFTEST = "supplier_selftest"
CHECKED = "checked"
TOO_LARGE = "too_large"
DUPLICATE = "duplicate"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # as punchout.tokens.new_reference
# The fields a test punchout and a trial session share, under the same names.
SHARED = [
    "id",
    "organization_id",
    "connection_id",
    "delivery_address_id",
    "token_hash",
    "created_at",
    "expires_at",
    "used_at",
    "started_at",
    "reference",
    "client_hash",
    "webshop_url",
    "method",
    "username_field",
    "password_field",
    "extra_params",
    "charset_override",
    "unit_map",
    "username_encrypted",
    "password_encrypted",
    "token_encrypted",
]


def _new_reference(CartReturn):
    while True:
        reference = "RT-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not CartReturn.objects.filter(reference=reference).exists():
            return reference


def trials_into_sessions(apps, schema_editor):
    TestPunchout = apps.get_model("punchout", "TestPunchout")
    PunchoutSession = apps.get_model("punchout", "PunchoutSession")
    CartReturn = apps.get_model("punchout", "CartReturn")
    for test in TestPunchout.objects.order_by("created_at", "id"):
        session = PunchoutSession.objects.create(
            purpose=ROUNDTRIP_TEST if test.organization_id is not None else SUPPLIER_SELFTEST,
            user_id=test.created_by_id,
            status=CHECKED if test.report is not None else "started",
            **{name: getattr(test, name) for name in SHARED},
        )
        if test.return_body is None:
            continue
        report = test.report or {}
        CartReturn.objects.create(
            session=session,
            reference=_new_reference(CartReturn),
            received_at=test.used_at or test.created_at,
            http_method="",  # a test punchout did not record it
            content_type=test.return_content_type,
            headers=test.return_headers or {},
            body=bytes(test.return_body),
            body_size=test.return_size,
            body_truncated=test.outcome == TOO_LARGE,
            outcome=test.outcome,
            charset=report.get("charset") or "",
            line_count=len(report.get("lines") or []),
            errors=report.get("errors") or [],
            warnings=report.get("warnings") or [],
            report=test.report,
        )


def sessions_into_trials(apps, schema_editor):
    TestPunchout = apps.get_model("punchout", "TestPunchout")
    PunchoutSession = apps.get_model("punchout", "PunchoutSession")
    CartReturn = apps.get_model("punchout", "CartReturn")
    trials = PunchoutSession.objects.filter(purpose__in=[ROUNDTRIP_TEST, SUPPLIER_SELFTEST])
    for session in trials.order_by("created_at", "id"):
        cart_return = (
            CartReturn.objects.filter(session=session).exclude(outcome=DUPLICATE).order_by("received_at", "id").first()
        )
        TestPunchout.objects.create(
            created_by_id=session.user_id,
            return_content_type=cart_return.content_type if cart_return else "",
            return_headers=cart_return.headers if cart_return else {},
            return_body=bytes(cart_return.body) if cart_return else None,
            return_size=cart_return.body_size if cart_return else 0,
            outcome=cart_return.outcome if cart_return else "",
            report=cart_return.report if cart_return else None,
            **{name: getattr(session, name) for name in SHARED},
        )
    trials.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('punchout', '0003_session_purpose'),
    ]

    operations = [
        migrations.RunPython(trials_into_sessions, sessions_into_trials),
    ]
