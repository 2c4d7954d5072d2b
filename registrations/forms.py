"""The registration form, built at run time from AWS's field definitions (registrations.definitions).

TEXT → a text input or textarea checked against MinLength/MaxLength/Pattern; SELECT → a single or
multiple choice of the definition's options (MinChoices/MaxChoices); ATTACHMENT → a file upload
(PDF, PNG or JPEG, at most 500 KB). Requirements are resolved in `clean()` from the values
being submitted, so CONDITIONAL fields follow their rules. "Save draft" checks formats only; "Submit"
also checks that every required field has a value. Posted names that are not a field of the
definition are refused: nothing unknown ever reaches AWS.

Labels, help texts and option labels come from registrations.field_texts: translated where the
catalogue knows AWS's English, else AWS's English marked `lang="en"` (a `FieldText`); option values stay
AWS's. Error messages name the rule broken and give AWS's example where the definition has one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
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
from .field_texts import (
    FieldText,
    choice_label,
    field_help,
    field_title,
    section_help,
    section_title,
    validation_text,
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


# Patterns AWS uses whose rule we can say in words (AWS's non-blank text pattern is every text field's).
KNOWN_PATTERNS: dict[str, Any] = {
    r"^(?=\s*\S)[\s\S]+$": _("Enter some text: spaces alone are not accepted."),
    r"^\+[1-9]\d{1,14}$": _("Use the international format: + then the country code and number, digits only."),
    r"^\+?[1-9]\d{1,14}$": _(
        "Use the international format: + then the country code and number, digits only."
    ),
    r"^[A-Z]{2}$": _("Enter two capital letters."),
    r"^[0-9]+$": _("Enter digits only."),
    r"^\d+$": _("Enter digits only."),
    r"^[A-Za-z0-9]+$": _("Enter letters and digits only."),
}


def help_parts(definition: FieldDef, titles: dict[str, str] | None = None) -> list[FieldText]:
    """The help text's parts in the interface language; AWS's English ones keep `lang="en"`."""
    parts = field_help(definition)
    if definition.example:
        # The example is a value to type, not prose: it is shown as AWS gives it.
        parts.append(FieldText(str(_("Example: %(example)s") % {"example": definition.example})))
    if definition.field_type == ATTACHMENT and "PDF" not in " ".join(parts):
        parts.append(
            FieldText(
                str(_("PDF, PNG or JPEG, at most %(max)s.") % {"max": filesizeformat(MAX_ATTACHMENT_BYTES)})
            )
        )
    parts += [FieldText(str(p)) for p in definition.describe_conditions(titles)]
    return [p for p in parts if p]


def _help_text(definition: FieldDef, titles: dict[str, str] | None = None) -> str:
    return " ".join(help_parts(definition, titles))


class _MarksEnglishOptions:
    """Choice widgets whose options carry `lang="en"` when their label is AWS's English (a FieldText)."""

    input_type: str

    def create_option(self, name: str, value: Any, label: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, label, *args, **kwargs)  # type: ignore[misc]
        lang = getattr(label, "lang", "")
        if lang:
            option["attrs"] = {**option["attrs"], "lang": lang}
            if self.input_type in ("radio", "checkbox"):  # the label's text is outside the input
                option["label"] = format_html('<span lang="{}">{}</span>', lang, label)
        return option


class MarkedSelect(_MarksEnglishOptions, forms.Select):
    pass


class MarkedRadioSelect(_MarksEnglishOptions, forms.RadioSelect):
    pass


class MarkedCheckboxSelectMultiple(_MarksEnglishOptions, forms.CheckboxSelectMultiple):
    pass


def build_field(
    definition: FieldDef, *, current_attachment: str = "", titles: dict[str, str] | None = None
) -> forms.Field:
    """The Django field for one definition. Requirements and conditional validation live in clean()."""
    field = _build_field(definition, current_attachment=current_attachment, titles=titles)
    field.help_parts = help_parts(definition, titles)  # the template marks AWS's English parts
    return field


def _build_field(
    definition: FieldDef, *, current_attachment: str, titles: dict[str, str] | None
) -> forms.Field:
    common: dict[str, Any] = {
        "label": field_title(definition),
        "required": False,
        "help_text": _help_text(definition, titles),
    }
    if definition.field_type == SELECT:
        # Only the label is translated: the value stays AWS's option string.
        choices = [(option, choice_label(definition, option)) for option in definition.options]
        if definition.is_multi:
            return forms.MultipleChoiceField(choices=choices, widget=MarkedCheckboxSelectMultiple, **common)
        widget = MarkedRadioSelect if len(choices) <= 4 else MarkedSelect
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
        titles = {f.field_path: str(field_title(f)) for f in definition.fields}
        for field_def in definition.fields:
            path = field_def.field_path
            field = build_field(field_def, current_attachment=self.attachments.get(path, ""), titles=titles)
            field.disabled = readonly or path in locked
            if path in locked:
                # Fixed by the request (e.g. the sender ID being registered): shown, never taken from POST.
                field.initial = self.initial[path] = locked[path]
                field.help_text = _("Set by your sender ID request.")
                field.help_parts = [FieldText(str(field.help_text))]
            self.fields[path] = field

    @property
    def action(self) -> str:
        return SUBMIT if self.data.get("action") == SUBMIT else SAVE

    def sections(self, extra: dict[str, Any] | None = None) -> list[tuple[SectionDef, list[dict[str, Any]]]]:
        """Fieldsets in AWS's order: each row has the bound field, its definition and `extra[path]`.
        The section's title is in the interface language (or AWS's English, marked); `help_parts` has its
        descriptions."""
        extra = extra or {}
        return [
            (
                _shown_section(section),
                [
                    {"field": self[f.field_path], "definition": f, "extra": extra.get(f.field_path)}
                    for f in fields
                ],
            )
            for section, fields in self.definition.sections_with_fields()
        ]

    def missing_required(self) -> list[str]:
        """FieldPaths required for the answers in this (bound) form's data but left empty: what the page
        counts after a failed save or submit (the stored values are not what the user sees)."""
        values = {path: self._submitted(path) for path in self.fields}
        return [
            f.field_path
            for f in self.definition.fields
            if f.resolve(values).behavior == REQUIRED and not values.get(f.field_path)
        ]

    def _submitted(self, path: str) -> list[str]:
        field = self.fields[path]
        if field.disabled:
            raw = self.get_initial_for_field(field, path)
        else:
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(path))
        if isinstance(raw, (list, tuple)):
            return [str(v) for v in raw if v]
        if isinstance(raw, UploadedFile) or (raw is None and self.attachments.get(path)):
            return ["<attachment>"]
        return [raw] if isinstance(raw, str) and raw.strip() else []

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
        if len(value) > max_length or (resolved.min_length and len(value) < resolved.min_length):
            code = "max_length" if len(value) > max_length else "min_length"
            message = length_message(resolved.min_length, max_length, len(value), field_def.example)
            self.add_error(path, forms.ValidationError(message, code=code))
            return
        pattern = _compiled(resolved.pattern)
        if pattern is not None and not pattern.fullmatch(value):
            self.add_error(
                path, forms.ValidationError(pattern_message(field_def, resolved.pattern), code="pattern")
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


def _shown_section(section: SectionDef) -> SectionDef:
    """The section with its title and descriptions in the interface language (AWS's English marked)."""
    shown = dataclasses.replace(section, title=section_title(section))
    object.__setattr__(shown, "help_parts", section_help(section))  # frozen dataclass: the template's parts
    return shown


def length_message(min_length: int | None, max_length: int, length: int, example: str = "") -> str:
    """ "Enter 1 to 100 characters. You entered 120. For example: …" """
    if min_length and min_length == max_length:
        rule = ngettext("Enter exactly %(n)d character.", "Enter exactly %(n)d characters.", max_length) % {
            "n": max_length
        }
    elif min_length:
        rule = str(_("Enter %(min)d to %(max)d characters.") % {"min": min_length, "max": max_length})
    else:
        rule = ngettext("Enter at most %(n)d character.", "Enter at most %(n)d characters.", max_length) % {
            "n": max_length
        }
    parts = [rule, ngettext("You entered %(n)d.", "You entered %(n)d.", length) % {"n": length}]
    if example:
        parts.append(str(_("For example: %(example)s.") % {"example": example}))
    return " ".join(parts)


def pattern_message(field_def: FieldDef, pattern: str | None) -> str:
    """What a value breaking AWS's pattern must look like: the rule in words where it is a known one,
    AWS's own description (translated, or its English marked), AWS's example; never only "wrong format"."""
    parts: list[str] = []
    known = KNOWN_PATTERNS.get(pattern or "")
    if known is not None:
        parts.append(str(known))
    rule = validation_text(field_def)
    if rule:
        parts.append(format_html('<span lang="{}">{}</span>', rule.lang, rule) if rule.lang else str(rule))
    if field_def.example:
        parts.append(
            str(_("Use the format AWS expects, for example: %(example)s.") % {"example": field_def.example})
        )
    if not parts:
        parts.append(
            str(
                _("Use the format AWS expects for this field (its rule: %(pattern)s).") % {"pattern": pattern}
            )
        )
    return format_html_join_spaces(parts)


def format_html_join_spaces(parts: list[str]) -> str:
    """Join message parts; when one is marked-up English (safe HTML), escape the others and stay safe."""
    if not any(isinstance(p, SafeString) for p in parts):
        return " ".join(parts)
    return format_html(" ".join(["{}"] * len(parts)), *parts)
