from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from accounts.models import User
from customers.choices import CustomerRole
from customers.models import Customer, CustomerMembership
from partners.choices import Cloud, PartnerRole, PartnerType
from partners.markets import market_region_for
from partners.models import Partner, PartnerMembership

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class PartnerFactory(DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_id = factory.Sequence(lambda n: str(5_000_000 + n))
    country = "JP"
    market_region = factory.LazyAttribute(lambda o: market_region_for(str(o.country)))
    cloud = Cloud.PUBLIC
    partner_type = PartnerType.DIRECT_BILL
    verified_domain = factory.Sequence(lambda n: f"partner{n}.example")


class PartnerMembershipFactory(DjangoModelFactory[PartnerMembership]):
    class Meta:
        model = PartnerMembership

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: [PartnerRole.ACCOUNT_ADMIN.value])


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    company_name = factory.Sequence(lambda n: f"Customer {n}")
    primary_domain = factory.Sequence(lambda n: f"customer{n}.example")
    country = "JP"
    cloud = Cloud.PUBLIC


class CustomerMembershipFactory(DjangoModelFactory[CustomerMembership]):
    class Meta:
        model = CustomerMembership

    customer = factory.SubFactory(CustomerFactory)
    user = factory.SubFactory(UserFactory)
    role = CustomerRole.GLOBAL_ADMIN
