"""The slice of the project's AWS reference data the simulator serves registration forms from.

Source: ``shared/data/aws-reference/registration-fields.json`` (see that folder's README: which fields
are ``verbatim`` AWS output, which come from AWS's own ``script``s, which are only ``doc`` labels). The
simulator reads it at runtime when it is there (``SIMULATOR_REFERENCE_DIR``, default
``<repo>/../shared/data/aws-reference``) and otherwise the trimmed copy committed beside this module,
``data/registration-forms.json`` (a clean clone, CI). Both go through :func:`trim`, so they give the
same forms; a test checks the committed copy against the reference whenever the reference is present.

Regenerate the committed copy after the reference changes::

    python -m smsvoice.simulator.reference
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

REFERENCE_DIR_VAR = "SIMULATOR_REFERENCE_DIR"
REFERENCE_FILE = "registration-fields.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "data" / "aws-reference"
COMMITTED_COPY = Path(__file__).resolve().parent / "data" / "registration-forms.json"

# The registration types whose forms come from verbatim AWS output or AWS's own scripts. Every other
# type is served as the generic stand-in form.
SOURCED_TYPES = ("GB", "IN", "ID")
# The generated country pages (all with the same fields) give character ranges for the generic form.
TEMPLATE_TYPE = "BD"
FIELD_KEYS = (
    "label",
    "section_label",
    "SectionPath",
    "FieldPath",
    "FieldType",
    "FieldRequirement",
    "TextValidation",
    "SelectValidation",
    "DisplayHints",
    "doc_field_type",
    "doc_requirement",
    "doc_options",
    "cross_reference",
    "confidence",
    "source_ref",
)
HEADER = (
    "Trimmed copy of shared/data/aws-reference/registration-fields.json (the project's AWS reference "
    "data; its README says what is verbatim, script or doc) holding only what smsvoice/simulator serves: "
    "the GB, IN and ID sender-ID forms, the shared option sets, the text pattern and the generated "
    "pages' character ranges. Do not edit by hand: regenerate with `python -m smsvoice.simulator.reference`."
)


def reference_path() -> Path:
    return Path(os.environ.get(REFERENCE_DIR_VAR) or DEFAULT_REFERENCE_DIR) / REFERENCE_FILE


def trim(reference: dict[str, Any]) -> dict[str, Any]:
    """What the simulator needs from the full reference file (deterministic: same input, same output)."""
    by_iso = {t["iso_code"]: t for t in reference["registration_types"]}
    types: dict[str, Any] = {}
    used_refs: set[str] = set()
    for iso in SOURCED_TYPES:
        entry = by_iso[iso]
        fields = []
        for field in entry["fields"]:
            fields.append({k: field[k] for k in FIELD_KEYS if field.get(k) is not None})
            if field.get("source_ref"):
                used_refs.add(field["source_ref"])
        types[iso] = {
            "RegistrationType": entry.get("RegistrationType"),
            "registration_type_confidence": entry.get("registration_type_confidence"),
            "sections": [
                {
                    "section_label": s["section_label"],
                    "SectionPath": s.get("SectionPath"),
                    "Title": s.get("DisplayHints_Title_candidate") or s["section_label"],
                }
                for s in entry["sections"]
            ],
            "fields": fields,
        }
    template = by_iso[TEMPLATE_TYPE]
    ranges = {
        f["label"]: f["doc_validation"]
        for f in template["fields"]
        if isinstance(f.get("doc_validation"), dict)
    }
    return {
        "_about": HEADER,
        "source": {
            "file": "shared/data/aws-reference/registration-fields.json",
            "title": reference.get("title"),
            "compiled": reference.get("compiled"),
        },
        "text_pattern": reference["api_shapes"]["text_pattern_seen"]["Pattern"],
        "attachments": reference["api_shapes"]["attachments"],
        "shared_option_sets": reference["shared_option_sets"],
        "template_text_ranges": ranges,
        "sources": {k: reference["sources"][k] for k in sorted(used_refs) if k in reference["sources"]},
        "types": types,
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


@functools.cache
def forms() -> dict[str, Any]:
    """The trimmed reference: from the reference file when it is present, else the committed copy."""
    path = reference_path()
    if path.is_file():
        return trim(json.loads(path.read_text(encoding="utf-8")))
    return json.loads(COMMITTED_COPY.read_text(encoding="utf-8"))


def write_committed_copy() -> Path:
    path = reference_path()
    data = trim(json.loads(path.read_text(encoding="utf-8")))
    COMMITTED_COPY.parent.mkdir(parents=True, exist_ok=True)
    COMMITTED_COPY.write_text(dumps(data), encoding="utf-8")
    return COMMITTED_COPY


if __name__ == "__main__":
    if not reference_path().is_file():
        sys.exit(f"no reference file at {reference_path()} (set {REFERENCE_DIR_VAR})")
    sys.stdout.write(f"wrote {write_committed_copy()}\n")
