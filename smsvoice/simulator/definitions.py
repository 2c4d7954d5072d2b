"""The simulator's registration catalogue: sender-ID registration types, their form sections and fields,
and the per-country sender-ID facts RequestSenderId checks.

Built from the facts in the project's reference data (shared/data/README.md: the AWS SMS country table,
field paths, India's DLT fields, Singapore's UEN/SSIR questions). Shapes are exactly what
DescribeRegistrationTypeDefinitions / SectionDefinitions / FieldDefinitions return. India and Singapore
have their own forms; every other registration-form country shares the generic sender-ID form.
"""

from __future__ import annotations

import functools
from typing import Any

DOCS = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid.html"

# Countries with a sender-ID registration form in the AWS console (reference data column
# registration_form_in_console); the simulator offers <ISO2>_SENDER_ID_REGISTRATION for each.
REGISTRATION_FORM_COUNTRIES: dict[str, str] = {
    "AE": "United Arab Emirates",
    "AT": "Austria",
    "AU": "Australia",
    "BY": "Belarus",
    "EG": "Egypt",
    "ES": "Spain",
    "FI": "Finland",
    "GB": "United Kingdom",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IN": "India",
    "JO": "Jordan",
    "KE": "Kenya",
    "KW": "Kuwait",
    "KZ": "Kazakhstan",
    "LK": "Sri Lanka",
    "PH": "Philippines",
    "QA": "Qatar",
    "RU": "Russia",
    "SA": "Saudi Arabia",
    "SG": "Singapore",
    "TH": "Thailand",
    "TR": "Turkey",
    "VN": "Vietnam",
    "ZM": "Zambia",
}
# Types AWS offers only in some Regions (India's DLT routes exist only in Mumbai and Hyderabad).
REGION_ONLY: dict[str, frozenset[str]] = {"IN": frozenset({"ap-south-1", "ap-south-2"})}

# Sender IDs need registration here (the table's "Registration required" plus the form countries):
# RequestSenderId answers SENDER_ID_REQUIRES_REGISTRATION.
REGISTRATION_REQUIRED_COUNTRIES = frozenset(REGISTRATION_FORM_COUNTRIES) | {"OM"}
# The table's "Supports Sender IDs: No": RequestSenderId answers SENDER_ID_NOT_SUPPORTED.
SENDER_ID_NOT_SUPPORTED_COUNTRIES = frozenset(
    {
        "AR", "BS", "BE", "BR", "CA", "KY", "CL", "CN", "CO", "CR", "DO", "EC", "SV", "GU", "GT", "HU", "LR",
        "MY", "MH", "FM", "MC", "MZ", "NZ", "NI", "PY", "PE", "PR", "CG", "KN", "LC", "ZA", "KR", "TW", "TM",
        "US", "UY", "VE", "VI",
    }
)  # fmt: skip

SENDER_ID_RESOURCE_TYPE = "SENDER_ID"
ASSOCIATION_BEHAVIOR = "ASSOCIATE_ON_APPROVAL"
DISASSOCIATION_BEHAVIOR = "DELETE_REGISTRATION_DISASSOCIATES"

AREAS_OF_BUSINESS = [
    "Agriculture", "Communication", "Construction", "Education", "Energy", "Entertainment", "Financial",
    "Government", "Healthcare", "Hospitality", "Insurance", "Manufacturing", "Real estate", "Retail",
    "Technology", "Other",
]  # fmt: skip
USE_CASE_CATEGORIES = [
    "One-time passcodes", "Account or security alerts", "Purchase or delivery notifications",
    "Public service announcements", "Polling and surveys", "Info on demand", "Promotions and marketing",
    "Other",
]  # fmt: skip
PROMOTIONAL_USE_CASE = "Promotions and marketing"
MONTHLY_VOLUMES = [
    "10", "100", "1,000", "10,000", "100,000", "250,000", "500,000", "750,000", "1,000,000", "5,000,000",
    "10,000,000+",
]  # fmt: skip

SENDER_ID_FIELD = "senderIdInfo.senderId"


def registration_type_name(iso: str) -> str:
    return f"{iso}_SENDER_ID_REGISTRATION"


def country_of_type(registration_type: str) -> str | None:
    """``IN_SENDER_ID_REGISTRATION`` → ``IN`` (None for anything not a sender-ID type we offer)."""
    iso, _, rest = registration_type.partition("_")
    if rest == "SENDER_ID_REGISTRATION" and iso in REGISTRATION_FORM_COUNTRIES:
        return iso
    return None


def offered_in_region(iso: str, region: str) -> bool:
    return region in REGION_ONLY.get(iso, frozenset({region}))


# --- building blocks --------------------------------------------------------------------------------
def _hints(title: str, short: str, long: str | None = None, **extra: Any) -> dict[str, Any]:
    hints: dict[str, Any] = {"Title": title, "ShortDescription": short}
    if long:
        hints["LongDescription"] = long
    hints.update({k: v for k, v in extra.items() if v is not None})
    return hints


def _section(path: str, title: str, short: str, long: str | None = None) -> dict[str, Any]:
    return {"SectionPath": path, "DisplayHints": _hints(title, short, long)}


def _text(
    path: str,
    title: str,
    short: str,
    *,
    requirement: str = "REQUIRED",
    min_length: int = 1,
    max_length: int = 100,
    pattern: str = r"^[\s\S]*$",
    example: str | None = None,
    long: str | None = None,
    rule: str | None = None,
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "TEXT",
        "FieldRequirement": requirement,
        "TextValidation": {"MinLength": min_length, "MaxLength": max_length, "Pattern": pattern},
        "DisplayHints": _hints(title, short, long, ExampleTextValue=example, TextValidationDescription=rule),
    }


def _select(
    path: str,
    title: str,
    short: str,
    options: list[str],
    *,
    requirement: str = "REQUIRED",
    min_choices: int = 1,
    max_choices: int = 1,
    long: str | None = None,
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "SELECT",
        "FieldRequirement": requirement,
        "SelectValidation": {"MinChoices": min_choices, "MaxChoices": max_choices, "Options": list(options)},
        "DisplayHints": _hints(title, short, long),
    }


def _attachment(
    path: str, title: str, short: str, *, requirement: str = "OPTIONAL", long: str | None = None
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "ATTACHMENT",
        "FieldRequirement": requirement,
        "DisplayHints": _hints(title, short, long or "PDF, PNG or JPEG, at most 1.5 MB."),
    }


# --- the generic sender-ID form ----------------------------------------------------------------------
def _company_sections(company_id_field: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    sections = [
        _section("companyInfo", "Company info", "The company that will send messages with this sender ID."),
        _section("companyAddress", "Company address", "The registered address of the company."),
        _section(
            "contactInfo", "Contact info", "Who the registration authority contacts about this request."
        ),
    ]
    fields = [
        _text("companyInfo.companyName", "Company name", "The legal name of the company.", max_length=100,
              example="Example Corp"),
        company_id_field,
        _text("companyInfo.website", "Company website", "The company's public website.", max_length=500,
              pattern=r"^https?://\S+$", example="https://www.example.com", rule="A URL starting with https://"),
        _select("companyInfo.areaOfBusiness", "Area of business", "The company's main industry.",
                AREAS_OF_BUSINESS),
        _text("companyAddress.address1", "Address line 1", "Street and number.", max_length=100),
        _text("companyAddress.address2", "Address line 2", "Building, floor, suite.", requirement="OPTIONAL",
              max_length=100),
        _text("companyAddress.city", "City", "City of the registered address.", max_length=100),
        _text("companyAddress.state", "State or region", "State, province or region.", requirement="OPTIONAL",
              max_length=100),
        _text("companyAddress.zipCode", "Postal code", "Postal code of the registered address.",
              requirement="OPTIONAL", max_length=20),
        _text("companyAddress.isoCountryCode", "Country", "Two-letter ISO country code of the address.",
              min_length=2, max_length=2, pattern="^[A-Z]{2}$", example="GB"),
        _text("contactInfo.emailAddress", "Email address", "A work email address.", max_length=254,
              pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", example="sms-admin@example.com"),
        _text("contactInfo.phoneNumber", "Phone number", "In E.164 format.", max_length=16,
              pattern=r"^\+[1-9][0-9]{1,14}$", example="+447700900123", rule="E.164, e.g. +447700900123"),
    ]  # fmt: skip
    return sections, fields


def _use_case_sections(categories: list[str]) -> tuple[list[dict], list[dict]]:
    sections = [
        _section("messagingUseCase", "Messaging use case", "What you send and how recipients opt in."),
        _section("messageSamples", "Message samples", "Examples of the messages you will send."),
    ]
    fields = [
        _select("messagingUseCase.useCaseCategory", "Use case category", "The kind of messages.", categories),
        _text("messagingUseCase.useCaseDescription", "Use case description",
              "Describe what you send, to whom and why.", max_length=500),
        _text("messagingUseCase.optInDescription", "Opt-in description",
              "How recipients agree to receive your messages.", max_length=500),
        _select("messagingUseCase.monthlyMessageVolume", "Monthly message volume",
                "Messages you expect to send per month.", MONTHLY_VOLUMES),
        _text("messageSamples.messageSample1", "Message sample 1", "A message exactly as recipients see it.",
              max_length=306, example="Your Example Corp code is 123456."),
        _text("messageSamples.messageSample2", "Message sample 2", "Another sample.", requirement="OPTIONAL",
              max_length=306),
        _text("messageSamples.messageSample3", "Message sample 3", "Another sample.", requirement="OPTIONAL",
              max_length=306),
    ]  # fmt: skip
    return sections, fields


def _sender_id_section(sender_id_field: dict[str, Any], loa_field: dict[str, Any]) -> tuple[list, list]:
    sections = [_section("senderIdInfo", "Sender ID info", "The sender ID to register.")]
    fields = [
        sender_id_field,
        _text("senderIdInfo.senderIdDescription", "Sender ID description",
              "How the sender ID relates to your company or brand.", requirement="OPTIONAL", max_length=500),
        loa_field,
    ]  # fmt: skip
    return sections, fields


def _generic_form(iso: str) -> tuple[list[dict], list[dict]]:
    s1, f1 = _company_sections(
        _text("companyInfo.companyId", "Company registration number",
              "The company's registration or tax number.", max_length=100)
    )  # fmt: skip
    s2, f2 = _sender_id_section(
        _text(SENDER_ID_FIELD, "Sender ID", "1–11 letters, digits, hyphens or underscores.", max_length=11,
              pattern="^[A-Za-z0-9_-]+$", example="EXAMPLECO"),
        _attachment("senderIdInfo.letterOfAuthorization", "Letter of authorization",
                    "Needed when the sender ID is not obviously your company's name or brand."),
    )  # fmt: skip
    s3, f3 = _use_case_sections(USE_CASE_CATEGORIES)
    return s1 + s2 + s3, f1 + f2 + f3


def _india_form() -> tuple[list[dict], list[dict]]:
    s1, f1 = _company_sections(
        _text("companyInfo.companyId", "Company ID (PAN/CIN)", "Your company's PAN or CIN.", max_length=100)
    )
    s2, f2 = _sender_id_section(
        _text(SENDER_ID_FIELD, "Sender ID", "India sender IDs (headers) are 3–6 letters.", min_length=3,
              max_length=6, pattern="^[A-Za-z]{3,6}$", example="EXMPLE", rule="3 to 6 letters"),
        _attachment("senderIdInfo.letterOfAuthorization", "Proof of sender ID connection",
                    "Evidence of your rights to the brand when the link to your company is not obvious."),
    )  # fmt: skip
    s3, f3 = _use_case_sections([c for c in USE_CASE_CATEGORIES if c != PROMOTIONAL_USE_CASE])
    sections = [
        *s1, *s2, *s3,
        _section("inSidSpecificInfo", "India specific info",
                 "Your TRAI DLT registration: the principal entity ID and telemarketer chain.",
                 "Register your company, headers and templates on a DLT portal first."),
    ]  # fmt: skip
    dlt_id = {"max_length": 64, "pattern": "^[0-9A-Za-z]+$"}
    fields = [
        *f1, *f2, *f3,
        _text("inSidSpecificInfo.principalEntityId", "Principal entity ID (PEID)",
              "The entity ID your DLT portal gave your company.", min_length=12, max_length=19,
              pattern="^[0-9]{12,19}$", example="1201159143548210000", rule="12 to 19 digits"),
        _text("inSidSpecificInfo.chainId1", "Telemarketer chain ID 1", "First DLT telemarketer chain ID.",
              **dlt_id),
        _text("inSidSpecificInfo.chainId2", "Telemarketer chain ID 2", "Second DLT telemarketer chain ID.",
              requirement="OPTIONAL", **dlt_id),
        _text("inSidSpecificInfo.chainId3", "Telemarketer chain ID 3", "Third DLT telemarketer chain ID.",
              requirement="OPTIONAL", **dlt_id),
        _text("inSidSpecificInfo.chainId5", "Telemarketer chain ID 5", "Fifth DLT telemarketer chain ID.",
              requirement="OPTIONAL", **dlt_id),
        _select("inSidSpecificInfo.sendingParametersAcknowledgement", "Sending parameters",
                "I will send each message with its DLT entity ID and template ID.", ["Yes"],
                long="Messages to India without EntityId and TemplateId are blocked by the carriers."),
    ]  # fmt: skip
    return sections, fields


def _singapore_form() -> tuple[list[dict], list[dict]]:
    s1, f1 = _company_sections(
        _text("companyInfo.companyId", "Tax ID (UEN)", "Your Unique Entity Number.", min_length=9,
              max_length=10, pattern="^(?:[0-9]{8,9}[A-Z]|[STR][0-9]{2}[A-Z]{2}[0-9]{4}[A-Z])$",
              example="201912345K", rule="A UEN such as 201912345K")
    )  # fmt: skip
    loa = _attachment(
        "senderIdInfo.letterOfAuthorization", "Letter of authorization",
        "Required when you register on behalf of another brand or entity.", requirement="CONDITIONAL",
    )  # fmt: skip
    loa["ConditionalBehavior"] = {
        "Rules": [
            {
                "Conditions": [
                    {
                        "DependsOnFieldPath": "sgSidSpecificInfo.onBehalfOfAnotherEntity",
                        "Operator": "EQUALS",
                        "Values": ["Yes"],
                    }
                ],
                "RuleBehavior": "REQUIRED",
            }
        ],
        "DefaultBehavior": "OPTIONAL",
    }
    s2, f2 = _sender_id_section(
        _text(SENDER_ID_FIELD, "Sender ID", "1–11 letters, digits or hyphens.", max_length=11,
              pattern="^[A-Za-z0-9-]+$", example="EXAMPLECO"),
        loa,
    )  # fmt: skip
    s3, f3 = _use_case_sections(USE_CASE_CATEGORIES)
    sections = [
        *s1, *s2, *s3,
        _section("sgSidSpecificInfo", "Singapore specific info",
                 "Brand ownership and the SGNIC Sender ID Registry (SSIR).",
                 "Singapore blocks unregistered sender IDs: register the sender ID in SGNIC's SSIR too."),
    ]  # fmt: skip
    fields = [
        *f1, *f2, *f3,
        _select("sgSidSpecificInfo.onBehalfOfAnotherEntity", "Registering on behalf of another entity?",
                "Are you registering this sender ID on behalf of another brand or entity?", ["Yes", "No"]),
        _select("sgSidSpecificInfo.ssirAcknowledgement", "SGNIC SSIR registration",
                "I have registered, or will register, this sender ID with SGNIC's SSIR.", ["Yes"]),
    ]  # fmt: skip
    return sections, fields


@functools.cache
def form(registration_type: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections, fields) of a registration type, as AWS describes them."""
    iso = country_of_type(registration_type)
    if iso == "IN":
        return _india_form()
    if iso == "SG":
        return _singapore_form()
    if iso is None:
        raise KeyError(registration_type)
    return _generic_form(iso)


def field_index(registration_type: str) -> dict[str, dict[str, Any]]:
    return {f["FieldPath"]: f for f in form(registration_type)[1]}


def type_definition(iso: str) -> dict[str, Any]:
    name = REGISTRATION_FORM_COUNTRIES[iso]
    return {
        "RegistrationType": registration_type_name(iso),
        "SupportedAssociations": [
            {
                "ResourceType": SENDER_ID_RESOURCE_TYPE,
                "IsoCountryCode": iso,
                "AssociationBehavior": ASSOCIATION_BEHAVIOR,
                "DisassociationBehavior": DISASSOCIATION_BEHAVIOR,
            }
        ],
        "DisplayHints": {
            "Title": f"{name} Sender ID Registration",
            "ShortDescription": f"Register a sender ID for sending SMS to {name}.",
            "LongDescription": "The sender ID is created for you when the registration is approved.",
            "DocumentationTitle": "Sender ID registration",
            "DocumentationLink": DOCS,
        },
    }


def type_definitions(region: str) -> list[dict[str, Any]]:
    """The registration types offered in ``region``, sorted by name."""
    return [
        type_definition(iso) for iso in sorted(REGISTRATION_FORM_COUNTRIES) if offered_in_region(iso, region)
    ]


def resolved_requirement(definition: dict[str, Any], values: dict[str, dict[str, Any]]) -> str:
    """REQUIRED / OPTIONAL / DISALLOWED for a field given the other fields' values (ConditionalBehavior:
    first rule whose conditions all hold wins; unknown operators never hold)."""
    if definition["FieldRequirement"] != "CONDITIONAL":
        return definition["FieldRequirement"]
    behaviour = definition.get("ConditionalBehavior") or {}
    for rule in behaviour.get("Rules", []):
        if all(_condition_holds(c, values.get(c["DependsOnFieldPath"])) for c in rule["Conditions"]):
            return rule["RuleBehavior"]
    return behaviour.get("DefaultBehavior", "OPTIONAL")


def _condition_holds(condition: dict[str, Any], value: dict[str, Any] | None) -> bool:
    current = _values_of(value)
    wanted = set(condition.get("Values") or [])
    operator = condition["Operator"]
    if operator == "HAS_VALUE":
        return bool(current)
    if operator == "NO_VALUE":
        return not current
    if operator in ("EQUALS", "IN"):
        return bool(current & wanted)
    if operator in ("NOT_EQUALS", "NOT_IN"):
        return not (current & wanted)
    return False


def _values_of(value: dict[str, Any] | None) -> set[str]:
    if not value:
        return set()
    if "SelectChoices" in value:
        return set(value["SelectChoices"])
    if "TextValue" in value:
        return {value["TextValue"]}
    if "RegistrationAttachmentId" in value:
        return {value["RegistrationAttachmentId"]}
    return set()
