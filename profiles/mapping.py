"""The one table between registration forms and the company profile: which FieldPath each profile
attribute answers, and which kind of vault document each ATTACHMENT FieldPath takes.

FieldPaths are AWS's (shared/data/aws-reference/registration-fields.json and the simulator's forms);
AWS names the postal code `postalCode` on some pages and `zipCode` on others, so both map to it. A path
this table does not know is never filled: it stays for the user to answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import CompanyProfile, DocumentKind

# FieldPath → CompanyProfile attribute. Several paths may share one attribute (read: any; write: the
# first non-blank answer in this order).
FIELD_ATTRIBUTES: dict[str, str] = {
    "companyInfo.companyName": "legal_name",
    "companyInfo.companyId": "company_id",
    "companyInfo.website": "website",
    "companyInfo.areaOfBusiness": "area_of_business",
    "companyAddress.address1": "address1",
    "companyAddress.address2": "address2",
    "companyAddress.city": "city",
    "companyAddress.state": "state",
    "companyAddress.postalCode": "postal_code",
    "companyAddress.zipCode": "postal_code",
    "companyAddress.isoCountryCode": "iso_country_code",
    "contactInfo.firstName": "contact_first_name",
    "contactInfo.lastName": "contact_last_name",
    "contactInfo.emailAddress": "contact_email",
    "contactInfo.phoneNumber": "contact_phone",
    "messagingUseCase.useCaseDescription": "use_case_description",
    "messagingUseCase.optInDescription": "opt_in_description",
    "messageSamples.messageSample1": "message_sample1",
    "messageSamples.messageSample2": "message_sample2",
    "messageSamples.messageSample3": "message_sample3",
}

# ATTACHMENT FieldPath → the kind of vault document that answers it.
ATTACHMENT_KINDS: dict[str, str] = {
    "senderIdInfo.letterOfAuthorization": DocumentKind.LETTER_OF_AUTHORIZATION,
    **{
        f"idSidSpecificInfo.letterOfAuthorization{n}": DocumentKind.LETTER_OF_AUTHORIZATION
        for n in range(1, 5)
    },
    "idSidSpecificInfo.nomorIndukBerusahaDocument": DocumentKind.REGISTRATION_CERTIFICATE,
    "idSidSpecificInfo.nomorPokokWajibPajakDocument": DocumentKind.TAX_DOCUMENT,
    "idSidSpecificInfo.regulatoryAgencyLicense": DocumentKind.REGULATORY_LICENSE,
}


def document_kind_for(field_path: str) -> str | None:
    """The vault document kind an ATTACHMENT FieldPath takes, or None (upload only)."""
    return ATTACHMENT_KINDS.get(field_path)


def prefill_values(profile: CompanyProfile | None, field_paths: Iterable[str]) -> dict[str, str]:
    """{FieldPath: the profile's value} for the known paths among `field_paths` whose value is not blank."""
    if profile is None:
        return {}
    out: dict[str, str] = {}
    for path in field_paths:
        attribute = FIELD_ATTRIBUTES.get(path)
        value = str(getattr(profile, attribute) or "") if attribute else ""
        if value.strip():
            out[path] = value
    return out


def answers_to_profile(answers: Mapping[str, str | list[str]]) -> dict[str, str]:
    """{profile attribute: value} from a form's answers ({FieldPath: text, or a select's choices}).

    Blank answers and unknown paths are left out: saving a half-filled form never erases the profile.
    A multiple choice is not one attribute value: only a single choice is taken.
    """
    out: dict[str, str] = {}
    for path, attribute in FIELD_ATTRIBUTES.items():
        if attribute in out or path not in answers:
            continue
        value = answers[path]
        if isinstance(value, (list, tuple)):
            value = value[0] if len(value) == 1 else ""
        value = str(value or "").strip()
        if value:
            out[attribute] = value
    return out
