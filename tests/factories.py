"""factory_boy factories for the domain."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from ocilink.accounts.models import (
    CostCentre,
    DeliveryAddress,
    Membership,
    Organization,
    PlatformRole,
    PlatformStaff,
    Role,
)
from ocilink.connections.models import Connection
from ocilink.suppliers.models import OrderingRight, Supplier, SupplierCategory, SupplierGroup


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class DeliveryAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryAddress

    organization = factory.SubFactory(OrganizationFactory)
    label = factory.Sequence(lambda n: f"Address {n}")
    street = "Marktplein 1"
    postal_code = "1234 AB"
    city = "Demodorp"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.BUYER


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Webshop {n}")
    url = "https://shop.example.com/oci/login/"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Supplier {n}")
    external_connection = factory.SubFactory(ConnectionFactory, organization=factory.SelfAttribute("..organization"))


class CostCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCentre

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"CC{n:04d}")
    name = factory.Sequence(lambda n: f"Cost centre {n}")


class PlatformStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformStaff

    user = factory.SubFactory(UserFactory)
    role = PlatformRole.CONSULTANT


class SupplierGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class SupplierCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierCategory

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class OrderingRightFactory(factory.django.DjangoModelFactory):
    """A role's right by default (buyer, every group, a high limit); pass ``user=`` and ``role=""`` for a user's."""

    class Meta:
        model = OrderingRight
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    role = Role.BUYER
    user = None
    may_order = True
    all_supplier_groups = True
    limit_without_approval = Decimal("1000000.00")

    @factory.post_generation
    def supplier_groups(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            obj.supplier_groups.set(extracted)
