"""The registration form's texts in the interface language: a catalogue of AWS's English texts.

AWS publishes its form definitions (titles, descriptions, option labels) in English only. This catalogue
holds, per FieldPath (per SectionPath for sections, per registration type for the form itself and per
option value for a SELECT's choices), the English texts AWS is known to send, as translatable strings
(the sources: smsvoice/simulator/data/registration-forms.json and shared/data/aws-reference). A text is
shown translated only when its path is known AND the English AWS sent is still one of the catalogue's
English sources: when AWS rewords a text, its new English is shown rather than a stale translation.
Anything else is AWS's English, returned as a `FieldText` with ``lang == "en"`` so the page marks it
(``lang="en"``: screen readers pronounce it right, tests tell the known unknowns apart).

Only what is shown changes: an option's value (what is stored and sent to AWS) is always AWS's own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .definitions import FieldDef, FormDefinition, SectionDef

ENGLISH = "en"


class FieldText(str):
    """A text to show; ``lang`` is "en" when it is AWS's English shown as is (no known translation)."""

    lang: str

    def __new__(cls, text: str, lang: str = "") -> FieldText:
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj

    @property
    def is_fallback(self) -> bool:
        return bool(self.lang)


# --- the catalogue ------------------------------------------------------------------------------------
# Each entry: the English variants AWS is known to send for that path (forms differ: "Company Name" in
# India's, "Company name" in the UK's). Add a variant when AWS's wording is confirmed.
REGISTRATION_TITLES: dict[str, tuple[Promise, ...]] = {
    "IN_SENDER_ID_REGISTRATION": (_("India Sender ID Registration"),),
    "SG_SENDER_ID_REGISTRATION": (_("Singapore Sender ID Registration"),),
    "ID_SENDER_ID_REGISTRATION": (_("Indonesia Sender ID Registration"),),
    "GB_SENDER_ID_REGISTRATION": (_("United Kingdom Sender ID Registration"),),
}
REGISTRATION_HELP: dict[str, tuple[Promise, ...]] = {
    "IN_SENDER_ID_REGISTRATION": (_("Register a sender ID for sending SMS to India."),),
    "SG_SENDER_ID_REGISTRATION": (
        _(
            "Register a sender ID for sending SMS to Singapore. Simulator stand-in: AWS has not "
            "published this form's definitions."
        ),
    ),
    "ID_SENDER_ID_REGISTRATION": (_("Register a sender ID for sending SMS to Indonesia."),),
    "GB_SENDER_ID_REGISTRATION": (_("Register a sender ID for sending SMS to United Kingdom."),),
}
# Texts AWS sends for any registration type or field.
COMMON_HELP: tuple[Promise, ...] = (
    _("The sender ID is created for you when the registration is approved."),
    _("PDF, PNG or JPEG, at most 500 KB."),
)

SECTION_TITLES: dict[str, tuple[Promise, ...]] = {
    "companyInfo": (_("Company info"),),
    "companyAddress": (_("Company address"),),
    "contactInfo": (_("Contact info"),),
    "senderIdInfo": (_("Sender ID info"),),
    "messagingUseCase": (_("Messaging use case"), _("Messaging Use Case")),
    "messageSamples": (_("Message samples"), _("Message Samples")),
    "inSidSpecificInfo": (_("India specific info"),),
    "idSidSpecificInfo": (_("Indonesia specific info"),),
}
SECTION_HELP: dict[str, tuple[Promise, ...]] = {
    "companyInfo": (_("The company that will send messages with this sender ID."),),
    "companyAddress": (_("The registered address of the company."),),
    "contactInfo": (_("Who the registration authority contacts about this request."),),
    "senderIdInfo": (_("The sender ID to register."),),
    "messagingUseCase": (_("What you send and how recipients opt in."),),
    "messageSamples": (_("Examples of the messages you will send."),),
}

FIELD_TITLES: dict[str, tuple[Promise, ...]] = {
    "companyInfo.companyName": (_("Company name"), _("Company Name")),
    "companyInfo.companyId": (
        _("Company registration number"),
        _("Company identification number"),
        _("Tax ID or Business Registration Number"),
        _("Tax ID"),
    ),
    "companyInfo.website": (_("Company website"),),
    "companyInfo.areaOfBusiness": (_("Area of business"),),
    "companyAddress.address1": (_("Address line 1"), _("Address 1")),
    "companyAddress.address2": (_("Address line 2"), _("Address 2")),
    "companyAddress.city": (_("City"),),
    "companyAddress.state": (_("State or region"), _("State/Province"), _("State / Province")),
    "companyAddress.zipCode": (_("Postal code"), _("Zip Code/Postal code")),
    "companyAddress.isoCountryCode": (_("Country"), _("Country code")),
    "contactInfo.emailAddress": (
        _("Email address"),
        _("Contact Email"),
        _("Contact email address"),
        _("Support Email"),
    ),
    "contactInfo.phoneNumber": (
        _("Phone number"),
        _("Contact Phone Number"),
        _("Contact phone number"),
        _("Support Phone Number"),
    ),
    "senderIdInfo.senderId": (_("Sender ID"),),
    "senderIdInfo.senderIdDescription": (_("Sender ID description"), _("Sender ID connection")),
    "senderIdInfo.letterOfAuthorization": (_("Letter of authorization"), _("Letter of authorization image")),
    "senderIdInfo.proofOfSenderIdConnection": (_("Proof of sender ID connection"),),
    "messagingUseCase.useCaseCategory": (_("Use case category"),),
    "messagingUseCase.useCaseDescription": (_("Use case description"), _("Use case details")),
    "messagingUseCase.optInDescription": (_("Opt-in description"), _("Opt-in workflow description")),
    "messagingUseCase.monthlyMessageVolume": (
        _("Monthly message volume"),
        _("Monthly SMS Volume"),
        _("Monthly SMS volume"),
    ),
    "messageSamples.messageSample1": (_("Message sample 1"), _("Message Sample 1")),
    "messageSamples.messageSample2": (_("Message sample 2"), _("Message Sample 2")),
    "messageSamples.messageSample3": (_("Message sample 3"), _("Message Sample 3")),
    # India (AWS's own script): the DLT chain of the Principal Entity and each route's telemarketer.
    "inSidSpecificInfo.principalEntityId": (_("Chain ID: Principal Entity ID (PEID)"),),
    "inSidSpecificInfo.chainId1": (_("Chain ID: ROUTE LEDGER TECHNOLOGIES PRIVATE LIMITED"),),
    "inSidSpecificInfo.chainId2": (_("Chain ID: Karix Mobile Pvt Ltd"),),
    "inSidSpecificInfo.chainId3": (_("Chain ID: Sinch Cloud Communication Services India Private Limited"),),
    "inSidSpecificInfo.chainId5": (_("Chain ID: Infobip India Private Limited"),),
    "inSidSpecificInfo.sendingParametersAcknowledgement": (
        _("Acknowledgement of required sending parameters"),
    ),
    # Indonesia: one letter of authorization per carrier, and the company's tax and business documents.
    "idSidSpecificInfo.letterOfAuthorization1": (_("Letter of authorization: Telkomsel"),),
    "idSidSpecificInfo.letterOfAuthorization2": (_("Letter of authorization: IOH"),),
    "idSidSpecificInfo.letterOfAuthorization3": (_("Letter of authorization: XL Axiata"),),
    "idSidSpecificInfo.letterOfAuthorization4": (_("Letter of authorization: Smartfren"),),
    "idSidSpecificInfo.regulatoryAgencyLicense": (_("Regulatory agency license"),),
    "idSidSpecificInfo.nomorPokokWajibPajakDocument": (_("NPWP (Nomor Pokok Wajib Pajak) document"),),
    "idSidSpecificInfo.nomorIndukBerusahaDocument": (_("NIB (Nomor Induk Berusaha) document"),),
}
FIELD_HELP: dict[str, tuple[Promise, ...]] = {
    "companyInfo.companyName": (
        _("The legal name of the company."),
        _("Legal name which your company is registered under."),
    ),
    "companyInfo.companyId": (_("The company's registration or tax number."),),
    "companyInfo.website": (_("The company's public website."),),
    "companyInfo.areaOfBusiness": (_("The company's main industry."),),
    "companyAddress.address1": (_("Street and number."),),
    "companyAddress.address2": (_("Building, floor, suite."),),
    "companyAddress.city": (_("City of the registered address."),),
    "companyAddress.state": (_("State, province or region."),),
    "companyAddress.zipCode": (_("Postal code of the registered address."),),
    "companyAddress.isoCountryCode": (_("Two-letter ISO country code of the address."),),
    "contactInfo.emailAddress": (_("A work email address."),),
    "contactInfo.phoneNumber": (_("In E.164 format."),),
    "senderIdInfo.senderId": (_("Up to 11 letters, digits, hyphens or underscores."),),
    "senderIdInfo.senderIdDescription": (
        _("How the sender ID relates to your company or brand."),
        _("If it is not obvious, explain the connection between your company name and this sender ID."),
    ),
    "senderIdInfo.letterOfAuthorization": (
        _("Needed when the sender ID is not obviously your company's name or brand."),
        _("Image of your signed letter of authorization (LOA)"),
    ),
    "messagingUseCase.useCaseCategory": (_("The kind of messages."),),
    "messagingUseCase.useCaseDescription": (_("Describe what you send, to whom and why."),),
    "messagingUseCase.optInDescription": (_("How recipients agree to receive your messages."),),
    "messagingUseCase.monthlyMessageVolume": (
        _("Messages you expect to send per month."),
        _("Estimated number of SMS messages which will be sent from this sender ID each month."),
    ),
    "messageSamples.messageSample1": (_("A message exactly as recipients see it."),),
    "messageSamples.messageSample2": (_("Another sample."),),
    "messageSamples.messageSample3": (_("Another sample."),),
}

_AREAS_OF_BUSINESS: dict[str, tuple[Promise, ...]] = {
    "Agriculture": (_("Agriculture"),),
    "Communication": (_("Communication"),),
    "Construction": (_("Construction"),),
    "Education": (_("Education"),),
    "Energy": (_("Energy"),),
    "Entertainment": (_("Entertainment"),),
    "Financial": (_("Financial"),),
    "Government": (_("Government"),),
    "Healthcare": (_("Healthcare"),),
    "Hospitality": (_("Hospitality"),),
    "Insurance": (_("Insurance"),),
    "Manufacturing": (_("Manufacturing"),),
    "Real estate": (_("Real estate"),),
    "Retail": (_("Retail"),),
    "Technology": (_("Technology"),),
    "Other": (_("Other"),),
}
_USE_CASE_CATEGORIES: dict[str, tuple[Promise, ...]] = {
    # The API's strings (AWS's scripts), then the console labels of some country pages.
    "One-time passcodes": (_("One-time passcodes"),),
    "Account or security alerts": (_("Account or security alerts"),),
    "Purchase or delivery notifications": (_("Purchase or delivery notifications"),),
    "Public service announcements": (_("Public service announcements"),),
    "Polling and surveys": (_("Polling and surveys"),),
    "Info on demand": (_("Info on demand"),),
    "Promotions and marketing": (_("Promotions and marketing"),),
    "Other": (_("Other"),),
    "Two-factor authentication": (_("Two-factor authentication"),),
    "One-time passwords": (_("One-time passwords"),),
    "Notifications": (_("Notifications"),),
    "Promotions and Marketing": (_("Promotions and Marketing"),),
    "Account or security alert": (_("Account or security alert"),),
}
# {FieldPath: {option value: English label variants}}; a label is AWS's option title, else the value.
CHOICE_LABELS: dict[str, dict[str, tuple[Promise, ...]]] = {
    "companyInfo.areaOfBusiness": _AREAS_OF_BUSINESS,
    "messagingUseCase.useCaseCategory": _USE_CASE_CATEGORIES,
    "inSidSpecificInfo.sendingParametersAcknowledgement": {"Yes": (_("Yes"),)},
}


# --- lookups ------------------------------------------------------------------------------------------
_TABLES: dict[str, Mapping[str, tuple[Promise, ...]]] = {
    "registration_title": REGISTRATION_TITLES,
    "registration_help": REGISTRATION_HELP,
    "common": {"": COMMON_HELP},
    "section_title": SECTION_TITLES,
    "section_help": SECTION_HELP,
    "field_title": FIELD_TITLES,
    "field_help": FIELD_HELP,
    **{f"choice:{path}": labels for path, labels in CHOICE_LABELS.items()},
}
Source = tuple[str, str]  # (table, key): where to look for the known English variants
COMMON: Source = ("common", "")


def _msgid(text: Promise) -> str:
    """The English source of a lazy translation (no language active: gettext returns the msgid)."""
    with translation.override(None):
        return str(text)


@functools.cache
def _known(table: str, key: str) -> dict[str, Promise]:
    """{English source: its lazy translation} of one catalogue entry (built once per entry)."""
    return {_msgid(v): v for v in _TABLES.get(table, {}).get(key, ())}


def translate_known(english: str, *sources: Source) -> FieldText:
    """`english` (what AWS sent) in the interface language when an entry of `sources` knows it as one of
    its English variants, else as is, marked English. An empty text stays empty (and unmarked)."""
    english = english or ""
    if not english.strip():
        return FieldText("")
    for table, key in sources:
        found = _known(table, key).get(english.strip())
        if found is not None:
            return FieldText(str(found))
    return FieldText(english, lang=ENGLISH)


def field_title(field_def: FieldDef) -> FieldText:
    return translate_known(field_def.title, ("field_title", field_def.field_path))


def _field_text(field_def: FieldDef, english: str) -> FieldText:
    path = field_def.field_path
    # AWS repeats a title as the short description where it has nothing more to say.
    return translate_known(english, ("field_help", path), ("field_title", path), COMMON)


def field_help(field_def: FieldDef) -> list[FieldText]:
    """AWS's descriptions of a field (short, long when it differs, its validation description), each
    translated or marked English. The form adds its own parts (example, file types, conditions)."""
    texts = [field_def.short_description]
    if field_def.long_description and field_def.long_description != field_def.short_description:
        texts.append(field_def.long_description)
    texts.append(field_def.text_validation_description)
    return [t for t in (_field_text(field_def, text) for text in texts) if t]


def validation_text(field_def: FieldDef) -> FieldText:
    """AWS's TextValidationDescription, translated when known, else marked English ("" when none)."""
    return _field_text(field_def, field_def.text_validation_description)


def choice_label(field_def: FieldDef, value: str) -> FieldText:
    """The label of one option. The value itself (what is stored and sent to AWS) never changes."""
    english = dict(field_def.option_titles).get(value) or value
    return translate_known(english, (f"choice:{field_def.field_path}", value))


def section_title(section_def: SectionDef) -> FieldText:
    return translate_known(section_def.title, ("section_title", section_def.section_path))


def section_help(section_def: SectionDef) -> list[FieldText]:
    path = section_def.section_path
    texts = [section_def.short_description]
    if section_def.long_description and section_def.long_description != section_def.short_description:
        texts.append(section_def.long_description)
    sources = (("section_help", path), ("section_title", path), COMMON)
    return [t for t in (translate_known(text, *sources) for text in texts) if t]


def registration_title(definition: FormDefinition) -> FieldText:
    return translate_known(definition.title, ("registration_title", definition.registration_type))


def registration_help(definition: FormDefinition) -> list[FieldText]:
    """The form's short description (its long one is about AWS's mechanics, shown nowhere)."""
    text = translate_known(
        definition.short_description, ("registration_help", definition.registration_type), COMMON
    )
    return [text] if text else []


def catalogue_english() -> set[str]:
    """Every English source text of the catalogue (tests compare a page against it)."""
    return {source for table, entries in _TABLES.items() for key in entries for source in _known(table, key)}
