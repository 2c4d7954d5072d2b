"""The wizard forms' field groups and error lists written in Python: the markup of Django's own
templates (django/forms/field.html, label.html, errors/list/ul.html), without a template render per
field, label and (even empty) error list — on a step's page those renders cost more than the rest of
the page. Like Django's form renderer, each output is stripped of surrounding whitespace. The view
passes both classes to every step's form (get_form_kwargs).

Their output is Django 5.2's, byte for byte (tests/senderids/test_wizard_speed_rendering.py compares
them with Django's for every step's fields, unbound, valid and with errors); a Django upgrade that
changes these templates should be checked against them. A form or field given another template is
rendered by Django as before.
"""

from __future__ import annotations

from typing import Any

from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.utils import ErrorList
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..widgets import _attrs

FIELD_TEMPLATE = BaseRenderer.field_template_name  # django/forms/field.html
LABEL_TEMPLATE = "django/forms/label.html"
ERRORS_TEMPLATE = ErrorList.template_name  # django/forms/errors/list/default.html (→ ul.html)


def _out(value: Any) -> str:
    """What a template's {{ value }} writes (autoescaped)."""
    return str(conditional_escape(value))


class QuickErrorList(ErrorList):
    """ErrorList whose {{ errors }} is errors/list/ul.html written in Python."""

    def render(
        self, template_name: str | None = None, context: Any = None, renderer: Any = None
    ) -> SafeString:
        if template_name or context or renderer or self.template_name != ERRORS_TEMPLATE:
            return super().render(template_name, context, renderer)
        if not self:
            return mark_safe("")
        shown_id = f' id="{_out(self.field_id)}_error"' if self.field_id else ""
        items = "".join(f"<li>{_out(error)}</li>" for error in self)
        html = f'<ul class="{_out(self.error_class)}"{shown_id}>{items}</ul>'
        return mark_safe(html.strip())  # noqa: S308 (escaped; stripped as Django's renderer strips)

    __str__ = render
    __html__ = render


class QuickBoundField(BoundField):
    """BoundField whose as_field_group() and label_tag() are field.html and label.html in Python."""

    def as_field_group(self) -> SafeString:
        if self.template_name != FIELD_TEMPLATE:
            return super().as_field_group()
        use_fieldset = self.use_fieldset
        if use_fieldset:
            described = self.aria_describedby
            shown = f' aria-describedby="{_out(described)}"' if described else ""
            legend = _out(self.legend_tag()) if self.label else ""
            head = f"\n  <fieldset{shown}>\n  {legend}\n"
        else:
            head = f"\n  {_out(self.label_tag()) if self.label else ''}\n"
        helptext = ""
        if self.help_text:
            shown_id = f' id="{_out(self.auto_id)}_helptext"' if self.auto_id else ""
            helptext = f'<div class="helptext"{shown_id}>{self.help_text}</div>'  # |safe: as given
        tail = "</fieldset>" if use_fieldset else ""
        html = f"{head}\n{helptext}\n{_out(self.errors)}\n{_out(self)}{tail}\n"
        return mark_safe(html.strip())  # noqa: S308 (escaped; stripped as Django's renderer strips)

    def label_tag(
        self,
        contents: Any = None,
        attrs: dict[str, Any] | None = None,
        label_suffix: Any = None,
        tag: Any = None,
    ) -> SafeString:
        if self.form.template_name_label != LABEL_TEMPLATE:
            return super().label_tag(contents, attrs, label_suffix, tag)
        # BoundField.label_tag's own steps, then label.html's markup.
        contents = contents or self.label
        if label_suffix is None:
            label_suffix = (
                self.field.label_suffix if self.field.label_suffix is not None else self.form.label_suffix
            )
        if label_suffix and contents and contents[-1] not in _(":?.!"):
            contents = mark_safe(f"{_out(contents)}{_out(label_suffix)}")  # noqa: S308 (format_html's)
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if id_:
            id_for_label = widget.id_for_label(id_)
            if id_for_label:
                attrs = {**(attrs or {}), "for": id_for_label}
            if self.field.required and hasattr(self.form, "required_css_class"):
                attrs = attrs or {}
                if "class" in attrs:
                    attrs["class"] += " " + self.form.required_css_class
                else:
                    attrs["class"] = self.form.required_css_class
            name = _out(tag or "label")
            html = f"<{name}{_attrs(attrs or {})}>{_out(contents)}</{name}>"
        else:
            html = _out(contents)
        return mark_safe(html.strip())  # noqa: S308 (escaped; stripped as Django's renderer strips)
