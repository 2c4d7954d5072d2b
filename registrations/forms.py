"""The registration form, built at run time from AWS's field definitions (registrations.definitions).

TEXT → a text input or textarea checked against MinLength/MaxLength/Pattern; SELECT → a single or
multiple choice of the definition's options (MinChoices/MaxChoices); ATTACHMENT → a file upload
(PDF, PNG or JPEG, at most 500 KB). Requirements are resolved in `clean()` from the values
being submitted, so CONDITIONAL fields follow their rules. "Save draft" checks formats only; "Submit"
also checks that every required field has a value. Posted names that are not a field of the
definition are refused: nothing unknown ever reaches AWS.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The upload checks are the company profile's too (its document vault): one copy, in profiles.uploads.
# Re-exported here: MAX_ATTACHMENT_BYTES and validate_attachment keep their old import path.
from profiles.uploads import MAX_ATTACHMENT_BYTES, validate_attachment

from .definitions import (
    API_MAX_TEXT_LENGTH,
    ATTACHMENT,
    CONDITIONAL,
    DISALLOWED,
    REQUIRED,
    SELECT,
    TEXT,
    FieldDef,
    FormDefinition,
    SectionDef,
)
from .inputs import FieldInput

RESERVED_NAMES = frozenset({"csrfmiddlewaretoken", "action"})
SAVE, SUBMIT = "save", "submit"


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        # A Java-only construct: AWS validates it on PutRegistrationFieldValue instead.
        return None


def _help_text(definition: FieldDef, titles: dict[str, str] | None = None) -> str:
    parts = [definition.short_description]
    if definition.long_description and definition.long_description != definition.short_description:
        parts.append(definition.long_description)
    if definition.text_validation_description:
        parts.append(definition.text_validation_description)
    if definition.example:
        parts.append(str(_("Example: %(example)s") % {"example": definition.example}))
    if definition.field_type == ATTACHMENT and "PDF" not in " ".join(parts):
        parts.append(
            str(_("PDF, PNG or JPEG, at most %(max)s.") % {"max": filesizeformat(MAX_ATTACHMENT_BYTES)})
        )
    parts += definition.describe_conditions(titles)
    return " ".join(p for p in parts if p)


def build_field(
    definition: FieldDef, *, current_attachment: str = "", titles: dict[str, str] | None = None
) -> forms.Field:
    """The Django field for one definition. Requirements and conditional validation live in clean()."""
    common: dict[str, Any] = {
        "label": definition.title,
        "required": False,
        "help_text": _help_text(definition, titles),
    }
    if definition.field_type == SELECT:
        labels = dict(definition.option_titles)
        choices = [(option, labels.get(option) or option) for option in definition.options]
        if definition.is_multi:
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        widget = forms.RadioSelect if len(choices) <= 4 else forms.Select
        return forms.ChoiceField(choices=[("", "—"), *choices], widget=widget, **common)
    if definition.field_type == ATTACHMENT:
        field = forms.FileField(
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
            validators=[validate_attachment],
            **common,
        )
        field.current_attachment = current_attachment  # shown by the template
        return field
    max_length = min(definition.max_length or API_MAX_TEXT_LENGTH, API_MAX_TEXT_LENGTH)
    attrs: dict[str, Any] = {"maxlength": max_length}
    if definition.example:
        attrs["placeholder"] = definition.example
    widget = forms.Textarea(attrs={**attrs, "rows": 4}) if max_length > 300 else forms.TextInput(attrs=attrs)
    # Unknown field types (AWS may add some) are offered as text; AWS validates them on push.
    return forms.CharField(widget=widget, **common)


class RegistrationForm(forms.Form):
    """A form for one registration type. `action` is "save" (draft) or "submit" (complete check)."""

    def __init__(
        self,
        *args: Any,
        definition: FormDefinition,
        attachments: dict[str, str] | None = None,
        locked: dict[str, str] | None = None,
        readonly: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.attachments = attachments or {}
        self.readonly = readonly
        locked = locked or {}
        titles = {f.field_path: f.title for f in definition.fields}
        for field_def in definition.fields:
            path = field_def.field_path
            field = build_field(field_def, current_attachment=self.attachments.get(path, ""), titles=titles)
            field.disabled = readonly or path in locked
            if path in locked:
                # Fixed by the request (e.g. the sender ID being registered): shown, never taken from POST.
                field.initial = self.initial[path] = locked[path]
                field.help_text = _("Set by your sender ID request.")
            self.fields[path] = field

    @property
    def action(self) -> str:
        return SUBMIT if self.data.get("action") == SUBMIT else SAVE

    def sections(self, extra: dict[str, Any] | None = None) -> list[tuple[SectionDef, list[dict[str, Any]]]]:
        """Fieldsets in AWS's order: each row has the bound field, its definition and `extra[path]`."""
        extra = extra or {}
        return [
            (
                section,
                [
                    {"field": self[f.field_path], "definition": f, "extra": extra.get(f.field_path)}
                    for f in fields
                ],
            )
            for section, fields in self.definition.sections_with_fields()
        ]

    # --- validation ------------------------------------------------------------------------------
    def _current(self, path: str, cleaned: dict[str, Any]) -> list[str]:
        value = cleaned.get(path)
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v]
        if isinstance(value, UploadedFile) or (value is None and self.attachments.get(path)):
            return ["<attachment>"]
        return [value] if value else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        unknown = sorted(
            name
            for name in {*self.data.keys(), *self.files.keys()}
            if name not in RESERVED_NAMES and name not in self.fields
        )
        for name in unknown:
            self.add_error(
                None,
                forms.ValidationError(
                    _("“%(path)s” is not a field of this registration form."),
                    code="unknown_field",
                    params={"path": name},
                ),
            )
        values = {path: self._current(path, cleaned) for path in self.fields}
        self.resolved = {}
        for field_def in self.definition.fields:
            path = field_def.field_path
            if path in self._errors:
                continue
            resolved = field_def.resolve(values)
            self.resolved[path] = resolved
            value = values[path]
            if resolved.behavior == DISALLOWED:
                # Not part of the form for these answers: the value is dropped, never sent.
                cleaned[path] = (
                    [] if field_def.is_multi else (None if field_def.field_type == ATTACHMENT else "")
                )
                continue
            if not value:
                if resolved.behavior == REQUIRED and self.action == SUBMIT:
                    message = (
                        _("Required for the answers given above.")
                        if field_def.requirement == CONDITIONAL
                        else _("This field is required to submit.")
                    )
                    self.add_error(path, forms.ValidationError(message, code="required"))
                continue
            if field_def.field_type == SELECT:
                self._check_select(field_def, resolved, value)
            elif field_def.field_type == TEXT:
                self._check_text(field_def, resolved, cleaned[path])
        return cleaned

    def _check_select(self, field_def: FieldDef, resolved: Any, value: list[str]) -> None:
        path = field_def.field_path
        if resolved.allowed_values is not None:
            refused = [v for v in value if v not in resolved.allowed_values]
            if refused:
                self.add_error(
                    path,
                    forms.ValidationError(
                        _("%(value)s is not allowed for the answers given above."),
                        code="invalid_choice",
                        params={"value": ", ".join(refused)},
                    ),
                )
                return
        if field_def.min_choices and len(value) < field_def.min_choices:
            self.add_error(
                path,
                ngettext(
                    "Choose at least %(n)d option.", "Choose at least %(n)d options.", field_def.min_choices
                )
                % {"n": field_def.min_choices},
            )
        if field_def.max_choices and len(value) > field_def.max_choices:
            self.add_error(
                path,
                ngettext(
                    "Choose at most %(n)d option.", "Choose at most %(n)d options.", field_def.max_choices
                )
                % {"n": field_def.max_choices},
            )

    def _check_text(self, field_def: FieldDef, resolved: Any, value: str) -> None:
        path = field_def.field_path
        max_length = min(resolved.max_length or API_MAX_TEXT_LENGTH, API_MAX_TEXT_LENGTH)
        if len(value) > max_length:
            self.add_error(
                path,
                forms.ValidationError(
                    _("At most %(max)d characters (it has %(length)d)."),
                    code="max_length",
                    params={"max": max_length, "length": len(value)},
                ),
            )
            return
        if resolved.min_length and len(value) < resolved.min_length:
            self.add_error(
                path,
                forms.ValidationError(
                    _("At least %(min)d characters (it has %(length)d)."),
                    code="min_length",
                    params={"min": resolved.min_length, "length": len(value)},
                ),
            )
            return
        pattern = _compiled(resolved.pattern)
        if pattern is not None and not pattern.fullmatch(value):
            self.add_error(
                path,
                forms.ValidationError(
                    field_def.text_validation_description
                    or _("The value does not have the expected format."),
                    code="pattern",
                ),
            )

    # --- output ----------------------------------------------------------------------------------
    def field_inputs(self) -> dict[str, FieldInput]:
        """Every field's value after a valid form: what the service stores (and later pushes)."""
        out: dict[str, FieldInput] = {}
        for field_def in self.definition.fields:
            path = field_def.field_path
            value = self.cleaned_data.get(path)
            disallowed = getattr(self, "resolved", {}).get(path)
            dropped = disallowed is not None and disallowed.behavior == DISALLOWED
            if field_def.field_type == ATTACHMENT:
                if isinstance(value, UploadedFile) and not dropped:
                    out[path] = FieldInput(upload=value)
                elif value is False or dropped:  # "clear" ticked, or no longer part of the form
                    out[path] = FieldInput()
                else:
                    out[path] = FieldInput(keep_attachment=bool(self.attachments.get(path)))
            elif field_def.field_type == SELECT:
                choices = value if isinstance(value, list) else ([value] if value else [])
                out[path] = FieldInput(choices=tuple(choices))
            else:
                out[path] = FieldInput(text=value or "")
        return out
