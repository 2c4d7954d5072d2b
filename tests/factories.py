"""factory-boy factories shared by the suite."""

import factory
from django.contrib.auth import get_user_model

from countries.models import Country, SenderIdProcess
from senderids.choices import MessageType
from senderids.models import SenderIdRequest
from smsvoice.selectors import aws_account_default
from teams.services import team_ensure_for


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-word-123")


class CountryFactory(factory.django.DjangoModelFactory):
    """Countries usually exist already (loaded on migrate): get-or-update by ISO code."""

    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = "DE"
    name = "Germany"
    sender_id_process = SenderIdProcess.SUPPORTED


class SenderIdRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SenderIdRequest

    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda r: team_ensure_for(r.owner))
    aws_account = factory.LazyAttribute(lambda r: aws_account_default())
    aws_region = factory.LazyAttribute(lambda r: r.aws_account.default_region)
    country = factory.SubFactory(CountryFactory)
    sender_id = factory.Sequence(lambda n: f"ACME{n}"[:11])
    process = factory.LazyAttribute(lambda r: r.country.sender_id_process)
    message_type = MessageType.TRANSACTIONAL
