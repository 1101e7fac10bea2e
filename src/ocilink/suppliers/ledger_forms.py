"""Forms of the ledger pages. Every choice of an account or a connection is limited to the user's organization.

The forms check the shape of the input; the services in ``ledger`` decide (and raise LedgerError with a sentence
that the view puts on the form).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection

from .ledger_io import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from .models import LedgerAccount, LedgerMapping, LedgerTable


def _accounts(organization: Organization, keep: LedgerAccount | None = None) -> QuerySet[LedgerAccount]:
    """The organization's active accounts, plus ``keep`` (the current choice) even if it was deactivated."""
    condition = Q(is_active=True)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return LedgerAccount.objects.filter(condition, organization=organization).order_by("code")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.code} {obj.name}"
        return label if obj.is_active else f"{label} ({_('deactivated')})"


class LedgerAccountForm(forms.Form):
    code = forms.CharField(label=_("account code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=200)


class LedgerTableForm(forms.Form):
    connection = forms.ModelChoiceField(
        label=_("for"),
        queryset=Connection.objects.none(),
        required=False,
        empty_label=_("All suppliers (the organization's table)"),
        help_text=_("A connection's own table wins over the organization's table for lines from that webshop."),
    )
    source_field = forms.ChoiceField(
        label=_("OCI field with the category code"),
        choices=LedgerTable.SourceField.choices,
        help_text=_("Ask the supplier in which field of the cart it sends the category code. MATGROUP is usual."),
    )
    scheme = forms.ChoiceField(label=_("code scheme"), choices=LedgerTable.Scheme.choices)
    default_account = AccountChoiceField(
        label=_("default account"),
        queryset=LedgerAccount.objects.none(),
        required=False,
        empty_label=_("None: lines without a match get no account"),
        help_text=_("Catches every line whose code is not in the table."),
    )
    buyer_may_change = forms.BooleanField(label=_("buyers may change a line's account"), required=False)

    def __init__(self, *args: Any, organization: Organization, table: LedgerTable | None = None, **kwargs: Any):
        if table is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "connection": table.connection_id,
                "source_field": table.source_field,
                "scheme": table.scheme,
                "default_account": table.default_account_id,
                "buyer_may_change": table.buyer_may_change,
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"buyer_may_change": True}
        super().__init__(*args, **kwargs)
        self.fields["connection"].queryset = Connection.objects.filter(organization=organization).order_by("name")  # type: ignore[attr-defined]
        self.fields["default_account"].queryset = _accounts(  # type: ignore[attr-defined]
            organization, table.default_account if table is not None else None
        )


class LedgerMappingForm(forms.Form):
    code = forms.CharField(
        label=_("category code"),
        max_length=80,
        help_text=_(
            "As the supplier sends it. UNSPSC: 8 digits, or 2, 4 or 6 digits for a whole segment, family or class."
        ),
    )
    account = AccountChoiceField(label=_("ledger account"), queryset=LedgerAccount.objects.none())

    def __init__(self, *args: Any, organization: Organization, mapping: LedgerMapping | None = None, **kwargs: Any):
        if mapping is not None and "initial" not in kwargs:
            kwargs["initial"] = {"code": mapping.code, "account": mapping.account_id}
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = _accounts(  # type: ignore[attr-defined]
            organization, mapping.account if mapping is not None else None
        )


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=_("file (.xlsx or .csv)"),
        help_text=_("Columns: code, account code and (optionally) account name, named in the first row."),
    )
    create_missing_accounts = forms.BooleanField(
        label=_("create missing accounts"),
        required=False,
        help_text=_(
            "Create an account that does not exist yet, with the row's account name. Off: such rows are rejected."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB (at most %(rows)s rows). Split it into smaller files.")
                % {
                    "size": MAX_IMPORT_BYTES // (1024 * 1024),
                    "rows": number_format(MAX_IMPORT_ROWS, force_grouping=True),
                }
            )
        return upload


class LineAccountForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=LedgerAccount.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your organization's active ledger accounts.")},
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = _accounts(organization)  # type: ignore[attr-defined]
