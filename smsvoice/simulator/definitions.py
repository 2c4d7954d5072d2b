"""The simulator's registration catalogue: sender-ID registration types, their form sections and fields,
and the per-country sender-ID facts RequestSenderId checks.

Where the forms come from (shared/data/aws-reference, read through ``reference.py``):
- ``GB_SENDER_ID_REGISTRATION``, ``IN_SENDER_ID_REGISTRATION``, ``ID_SENDER_ID_REGISTRATION``: the fields
  AWS published verbatim (GB, the blog's DescribeRegistrationFieldDefinitions output) or that AWS's own
  scripts fill (IN, ID), exactly as the sources give them; the rest of each form is the country page's
  labels laid onto the generic form's fields (:func:`sourced_form`).
- every other type: the generic sender-ID form, a stand-in. Its type definition says so in its
  DisplayHints, and the simulator adds ``x-simulator-stand-in: true`` to the Describe*Definitions answers.

Text fields use the only pattern AWS has shown, non-blank ``^(?=\\s*\\S)[\\s\\S]+$``; lengths come from
the sources (verbatim GB, script comments) or the generated country pages' ranges. Shapes are exactly
what DescribeRegistrationTypeDefinitions / SectionDefinitions / FieldDefinitions return.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from smsvoice.simulator import reference

DOCS = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid.html"
STAND_IN_NOTE = "Simulator stand-in: AWS has not published this form's definitions."
STAND_IN_HEADER = "x-simulator-stand-in"

# Countries with a sender-ID registration form in the AWS console; the simulator offers
# <ISO2>_SENDER_ID_REGISTRATION for each (AWS's documented naming pattern; confirmed only for IN, ID,
# SG and JO).
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
SOURCED_COUNTRIES = frozenset(reference.SOURCED_TYPES)
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

# SupportedAssociations.ResourceType for sender IDs is not published (reference README, "Limits"); the
# portal recognises sender-ID types by this string.
SENDER_ID_RESOURCE_TYPE = "SENDER_ID"
ASSOCIATION_BEHAVIOR = "ASSOCIATE_ON_APPROVAL"  # "This applies to all sender ID registrations" (model)
DISASSOCIATION_BEHAVIORS = (
    "DISASSOCIATE_ALL_CLOSES_REGISTRATION",
    "DISASSOCIATE_ALL_ALLOWS_DELETE_REGISTRATION",
    "DELETE_REGISTRATION_DISASSOCIATES",
)

TEXT_PATTERN = reference.forms()["text_pattern"]  # non-blank: at least one non-whitespace character
_OPTION_SETS = reference.forms()["shared_option_sets"]
AREAS_OF_BUSINESS: list[str] = _OPTION_SETS["companyInfo.areaOfBusiness"]["options"]
USE_CASE_CATEGORIES: list[str] = _OPTION_SETS["messagingUseCase.useCaseCategory"]["script_options"]
PROMOTIONAL_USE_CASE = "Promotions and marketing"
MONTHLY_VOLUMES: list[str] = _OPTION_SETS["messagingUseCase.monthlyMessageVolume"]["verbatim_options_GB"]

SENDER_ID_FIELD = "senderIdInfo.senderId"
ATTACHMENT_HINT = "PDF, PNG or JPEG, at most 500 KB."


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


def is_stand_in(registration_type: str) -> bool:
    return country_of_type(registration_type) not in SOURCED_COUNTRIES


# --- building blocks --------------------------------------------------------------------------------
def _hints(title: str, short: str, long: str | None = None, **extra: Any) -> dict[str, Any]:
    hints: dict[str, Any] = {"Title": title, "ShortDescription": short}
    if long:
        hints["LongDescription"] = long
    hints.update({k: v for k, v in extra.items() if v is not None})
    return hints


def _section(path: str, title: str, short: str) -> dict[str, Any]:
    return {"SectionPath": path, "DisplayHints": _hints(title, short)}


def _text(
    path: str,
    title: str,
    short: str,
    *,
    requirement: str = "REQUIRED",
    min_length: int = 1,
    max_length: int = 100,
    example: str | None = None,
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "TEXT",
        "FieldRequirement": requirement,
        "TextValidation": {"MinLength": min_length, "MaxLength": max_length, "Pattern": TEXT_PATTERN},
        "DisplayHints": _hints(title, short, ExampleTextValue=example),
    }


def _select(
    path: str, title: str, short: str, options: list[str], *, requirement: str = "REQUIRED"
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "SELECT",
        "FieldRequirement": requirement,
        "SelectValidation": {"MinChoices": 1, "MaxChoices": 1, "Options": list(options)},
        "DisplayHints": _hints(title, short),
    }


def _attachment(path: str, title: str, short: str, *, requirement: str = "OPTIONAL") -> dict[str, Any]:
    return {
        "SectionPath": path.split(".")[0],
        "FieldPath": path,
        "FieldType": "ATTACHMENT",
        "FieldRequirement": requirement,
        "DisplayHints": _hints(title, short, ATTACHMENT_HINT),
    }


# --- the generic sender-ID form (the stand-in) ---------------------------------------------------------
# Character ranges from the generated country pages (reference "template_text_ranges"), by their label.
_RANGE_LABELS = {
    "companyInfo.companyName": "Company name",
    "companyInfo.companyId": "Company identification number",
    "companyInfo.website": "Company website",
    "companyAddress.address1": "Address 1",
    "companyAddress.address2": "Address 2",
    "companyAddress.city": "City",
    "companyAddress.state": "State / Province",
    "companyAddress.zipCode": "Postal code",
    "companyAddress.isoCountryCode": "Country code",
    "contactInfo.emailAddress": "Contact email address",
    "contactInfo.phoneNumber": "Contact phone number",
    "senderIdInfo.senderIdDescription": "Sender ID description",
    "messagingUseCase.useCaseDescription": "Use case description",
    "messagingUseCase.optInDescription": "Opt-in workflow description",
    "messageSamples.messageSample1": "Message sample 1",
    "messageSamples.messageSample2": "Message sample 2",
    "messageSamples.messageSample3": "Message sample 3",
}
GENERIC_SECTIONS = [
    _section("companyInfo", "Company info", "The company that will send messages with this sender ID."),
    _section("companyAddress", "Company address", "The registered address of the company."),
    _section("contactInfo", "Contact info", "Who the registration authority contacts about this request."),
    _section("senderIdInfo", "Sender ID info", "The sender ID to register."),
    _section("messagingUseCase", "Messaging use case", "What you send and how recipients opt in."),
    _section("messageSamples", "Message samples", "Examples of the messages you will send."),
]


def _ranged(field: dict[str, Any]) -> dict[str, Any]:
    label = _RANGE_LABELS.get(field["FieldPath"])
    ranges = reference.forms()["template_text_ranges"].get(label) if label else None
    if ranges and field["FieldType"] == "TEXT":
        field["TextValidation"].update(MinLength=ranges["MinLength"], MaxLength=ranges["MaxLength"])
    return field


def _generic_fields() -> list[dict[str, Any]]:
    fields = [
        _text("companyInfo.companyName", "Company name", "The legal name of the company.",
              example="Example Corp"),
        _text("companyInfo.companyId", "Company registration number",
              "The company's registration or tax number."),
        _text("companyInfo.website", "Company website", "The company's public website.",
              example="https://www.example.com"),
        _select("companyInfo.areaOfBusiness", "Area of business", "The company's main industry.",
                AREAS_OF_BUSINESS),
        _text("companyAddress.address1", "Address line 1", "Street and number."),
        _text("companyAddress.address2", "Address line 2", "Building, floor, suite.",
              requirement="OPTIONAL"),
        _text("companyAddress.city", "City", "City of the registered address."),
        _text("companyAddress.state", "State or region", "State, province or region.",
              requirement="OPTIONAL"),
        _text("companyAddress.zipCode", "Postal code", "Postal code of the registered address.",
              requirement="OPTIONAL"),
        _text("companyAddress.isoCountryCode", "Country", "Two-letter ISO country code of the address.",
              example="GB"),
        _text("contactInfo.emailAddress", "Email address", "A work email address.",
              example="sms-admin@example.com"),
        _text("contactInfo.phoneNumber", "Phone number", "In E.164 format.", example="+447700900123"),
        _text(SENDER_ID_FIELD, "Sender ID", "Up to 11 letters, digits, hyphens or underscores.",
              max_length=11, example="EXAMPLECO"),
        _text("senderIdInfo.senderIdDescription", "Sender ID description",
              "How the sender ID relates to your company or brand.", requirement="OPTIONAL"),
        _attachment("senderIdInfo.letterOfAuthorization", "Letter of authorization",
                    "Needed when the sender ID is not obviously your company's name or brand."),
        _select("messagingUseCase.useCaseCategory", "Use case category", "The kind of messages.",
                USE_CASE_CATEGORIES),
        _text("messagingUseCase.useCaseDescription", "Use case description",
              "Describe what you send, to whom and why."),
        _text("messagingUseCase.optInDescription", "Opt-in description",
              "How recipients agree to receive your messages."),
        _select("messagingUseCase.monthlyMessageVolume", "Monthly message volume",
                "Messages you expect to send per month.", MONTHLY_VOLUMES),
        _text("messageSamples.messageSample1", "Message sample 1", "A message exactly as recipients see it.",
              example="Your Example Corp code is 123456."),
        _text("messageSamples.messageSample2", "Message sample 2", "Another sample.", requirement="OPTIONAL"),
        _text("messageSamples.messageSample3", "Message sample 3", "Another sample.", requirement="OPTIONAL"),
    ]  # fmt: skip
    return [_ranged(f) for f in fields]


def generic_form() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return copy.deepcopy(GENERIC_SECTIONS), _generic_fields()


# --- the sourced forms (GB, IN, ID) ---------------------------------------------------------------------
# Doc-only labels (no FieldPath in any source) laid onto the generic form's paths. Labels with no path in
# any source (First/Last name, DBA) are left out rather than invented.
_LABEL_PATHS = {
    "Address 2": "companyAddress.address2",
    "State/Province": "companyAddress.state",
    "Postal code": "companyAddress.zipCode",
    "Zip Code/Postal code": "companyAddress.zipCode",
    "Use case details": "messagingUseCase.useCaseDescription",
    "Message Sample 2": "messageSamples.messageSample2",
    "Message Sample 3": "messageSamples.messageSample3",
    "Sender ID description": "senderIdInfo.senderIdDescription",
}
_CROSS_REFERENCE_PATH = re.compile(r"^([a-z][A-Za-z]*\.[A-Za-z0-9]+)\b")
# Sender-ID lengths stated in AWS's script comments (reference fields' script_notes).
_SENDER_ID_LENGTHS = {"IN": (3, 6), "ID": (3, 11)}
# Options stated only in a script comment ("This is REQUIRED and must be Yes").
_SCRIPT_OPTIONS = {"inSidSpecificInfo.sendingParametersAcknowledgement": ["Yes"]}
_FIELD_TYPES = {"TEXT", "SELECT", "ATTACHMENT"}
_REQUIREMENTS = {"REQUIRED", "OPTIONAL", "CONDITIONAL"}


def _entry_path(entry: dict[str, Any]) -> str | None:
    if entry.get("FieldPath"):
        return entry["FieldPath"]
    match = _CROSS_REFERENCE_PATH.match(entry.get("cross_reference") or "")
    if match:
        return match.group(1)
    return _LABEL_PATHS.get(entry["label"])


def _sourced_field(
    iso: str, entry: dict[str, Any], path: str, base: dict[str, Any] | None
) -> dict[str, Any] | None:
    if entry["confidence"] == "verbatim":
        keys = ("SectionPath", "FieldPath", "FieldType", "FieldRequirement", "SelectValidation",
                "TextValidation", "DisplayHints")  # fmt: skip
        return {k: copy.deepcopy(entry[k]) for k in keys if k in entry}
    field_type = entry.get("FieldType") or entry.get("doc_field_type") or (base or {}).get("FieldType")
    if field_type not in _FIELD_TYPES:
        return None
    requirement = entry.get("FieldRequirement") or (base or {}).get("FieldRequirement")
    if entry["confidence"] == "doc" or requirement is None:
        requirement = (
            entry.get("doc_requirement") if entry.get("doc_requirement") in _REQUIREMENTS else requirement
        )
    field = copy.deepcopy(base) if base and base["FieldType"] == field_type else None
    if field is None:
        builder = {"TEXT": _text, "SELECT": _select, "ATTACHMENT": _attachment}[field_type]
        options = entry.get("doc_options") or _SCRIPT_OPTIONS.get(path) or []
        args = (options,) if field_type == "SELECT" else ()
        field = builder(path, entry["label"], entry["label"], *args)
    field.update(SectionPath=entry.get("SectionPath") or path.split(".")[0], FieldPath=path)
    field["FieldRequirement"] = requirement or "OPTIONAL"
    short = field["DisplayHints"].get("ShortDescription") or entry["label"]  # required by the model
    field["DisplayHints"] = _hints(entry["label"], short, field["DisplayHints"].get("LongDescription"))
    # A script's option list is what AWS's own code chose from; a doc page's list is console labels.
    if field_type == "SELECT" and entry["confidence"] == "script" and entry.get("doc_options"):
        field["SelectValidation"]["Options"] = list(entry["doc_options"])
    if path == SENDER_ID_FIELD and iso in _SENDER_ID_LENGTHS:
        low, high = _SENDER_ID_LENGTHS[iso]
        field["TextValidation"].update(MinLength=low, MaxLength=high)
    return field


@functools.cache
def _sourced(iso: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data = reference.forms()["types"][iso]
    generic_sections = {s["SectionPath"]: s for s in GENERIC_SECTIONS}
    base_fields = {f["FieldPath"]: f for f in _generic_fields()}
    fields: list[dict[str, Any]] = []
    for entry in data["fields"]:
        path = _entry_path(entry)
        if path is None or any(f["FieldPath"] == path for f in fields):
            continue
        base = base_fields.get(path)
        if entry["confidence"] == "doc" and base is None and not entry.get("doc_field_type"):
            continue
        field = _sourced_field(iso, entry, path, base)
        if field is not None:
            fields.append(field)
    titles = {s["SectionPath"]: s["Title"] for s in data["sections"] if s.get("SectionPath")}
    sections = []
    for path in dict.fromkeys(f["SectionPath"] for f in fields):
        generic = generic_sections.get(path)
        title = titles.get(path) or (generic["DisplayHints"]["Title"] if generic else path)
        short = generic["DisplayHints"]["ShortDescription"] if generic else title  # required by the model
        sections.append({"SectionPath": path, "DisplayHints": _hints(title, short)})
    return sections, fields


# ConditionalBehavior modelled from the conditions AWS states in words (SimConfig.conditional_rules):
# Indonesia's Telkomsel/IOH/Smartfren LOAs are "required if company is local to Indonesia" (script
# comments); NPWP/NIB documents are for Indonesian companies (blog prose). No public payload shows the
# real rules, so this is the simulator's model: REQUIRED for a company address in Indonesia, DISALLOWED
# otherwise (so a changed answer makes an uploaded file one that must be deleted).
_LOCAL_TO_INDONESIA = {
    "Rules": [
        {
            "Conditions": [
                {
                    "DependsOnFieldPath": "companyAddress.isoCountryCode",
                    "Operator": "EQUALS",
                    "Values": ["ID"],
                }
            ],
            "RuleBehavior": "REQUIRED",
        }
    ],
    "DefaultBehavior": "DISALLOWED",
}
_MODELLED_RULES = {
    "ID": {
        "idSidSpecificInfo.letterOfAuthorization1": _LOCAL_TO_INDONESIA,
        "idSidSpecificInfo.letterOfAuthorization2": _LOCAL_TO_INDONESIA,
        "idSidSpecificInfo.letterOfAuthorization4": _LOCAL_TO_INDONESIA,
        "idSidSpecificInfo.nomorPokokWajibPajakDocument": _LOCAL_TO_INDONESIA,
        "idSidSpecificInfo.nomorIndukBerusahaDocument": _LOCAL_TO_INDONESIA,
    }
}


@functools.cache
def form(registration_type: str, rules: bool = False) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections, fields) of a registration type, as AWS describes them. ``rules``: add the modelled
    ConditionalBehavior (see ``_MODELLED_RULES``). Callers must not modify the result."""
    iso = country_of_type(registration_type)
    if iso is None:
        raise KeyError(registration_type)
    if iso not in SOURCED_COUNTRIES:
        return generic_form()
    sections, fields = copy.deepcopy(_sourced(iso))
    if rules:
        for field in fields:
            behaviour = _MODELLED_RULES.get(iso, {}).get(field["FieldPath"])
            if behaviour and field["FieldRequirement"] == "CONDITIONAL":
                field["ConditionalBehavior"] = copy.deepcopy(behaviour)
    return sections, fields


def field_index(registration_type: str, rules: bool = False) -> dict[str, dict[str, Any]]:
    return {f["FieldPath"]: f for f in form(registration_type, rules)[1]}


def type_definition(iso: str, disassociation: str = DISASSOCIATION_BEHAVIORS[1]) -> dict[str, Any]:
    name = REGISTRATION_FORM_COUNTRIES[iso]
    hints: dict[str, Any] = {
        "Title": f"{name} Sender ID Registration",
        "ShortDescription": f"Register a sender ID for sending SMS to {name}.",
        "LongDescription": "The sender ID is created for you when the registration is approved.",
        "DocumentationTitle": "Sender ID registration",
        "DocumentationLink": DOCS,
    }
    if iso not in SOURCED_COUNTRIES:
        hints["ShortDescription"] = f"{hints['ShortDescription']} {STAND_IN_NOTE}"
        hints["LongDescription"] = f"{STAND_IN_NOTE} {hints['LongDescription']}"
    return {
        "RegistrationType": registration_type_name(iso),
        "SupportedAssociations": [
            {
                "ResourceType": SENDER_ID_RESOURCE_TYPE,
                "IsoCountryCode": iso,
                "AssociationBehavior": ASSOCIATION_BEHAVIOR,
                "DisassociationBehavior": disassociation,
            }
        ],
        "DisplayHints": hints,
    }


def type_definitions(region: str, disassociation: str = DISASSOCIATION_BEHAVIORS[1]) -> list[dict[str, Any]]:
    """The registration types offered in ``region``, sorted by name."""
    return [
        type_definition(iso, disassociation)
        for iso in sorted(REGISTRATION_FORM_COUNTRIES)
        if offered_in_region(iso, region)
    ]


def resolved_requirement(
    definition: dict[str, Any], values: dict[str, dict[str, Any]], unruled: str = "OPTIONAL"
) -> str:
    """REQUIRED / OPTIONAL / DISALLOWED for a field given the other fields' values (ConditionalBehavior:
    first rule whose conditions all hold wins; unknown operators never hold). A CONDITIONAL field without
    ConditionalBehavior (GB's letter of authorization, as AWS published it) resolves to ``unruled``."""
    if definition["FieldRequirement"] != "CONDITIONAL":
        return definition["FieldRequirement"]
    behaviour = definition.get("ConditionalBehavior")
    if not behaviour:
        return unruled
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
