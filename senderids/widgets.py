"""Form widgets whose HTML is written in Python: the same markup as Django's own widget templates,
without a template render per option or row (the tracking filters' country list has some 200 options,
the admin changelist a checkbox per row: rendering them through Django's widget templates cost more
than the rest of those pages). Their output is Django 5.2's, byte for byte; a Django upgrade that
changes its widget templates should be checked against them."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeData, mark_safe


def _text(value: Any) -> str:
    """What a template's {{ value }} writes for a string: escaped unless already safe."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html, without its closing newline."""
    shown = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    kind, name = _text(widget["type"]), _text(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


class QuickSelect(forms.Select):
    """forms.Select written as select.html and select_option.html write it. The options are read
    straight from the choices, as Select.optgroups reads them (an option's only attribute is
    `selected`: a Select's options inherit none of its attributes)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        values = self.format_value(value)
        html = [f'<select name="{_text(name)}"{_attrs(final_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            option_value = "" if option_value is None else option_value
            group = isinstance(option_label, (list, tuple))
            # select.html writes an <optgroup> for a group with a name only.
            if group and option_value:
                html.append(f'\n  <optgroup label="{_text(option_value)}">')
            for sub_value, sub_label in option_label if group else [(option_value, option_label)]:
                selected = (not has_selected or self.allow_multiple_selected) and str(sub_value) in values
                has_selected |= selected
                # select_option.html ends with a newline.
                html.append(
                    f'\n  <option value="{_text(sub_value)}"{" selected" if selected else ""}>'
                    f"{_text(sub_label)}</option>\n"
                )
            if group and option_value:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 (every value is escaped by _text)


class QuickInputMixin:
    """An input widget written as input.html writes it."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        return mark_safe(_input(widget))  # noqa: S308 (every value is escaped by _text)


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickNumberInput(QuickInputMixin, forms.NumberInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickHiddenInput(QuickInputMixin, forms.HiddenInput):
    pass


class QuickCheckbox(QuickInputMixin, forms.CheckboxInput):
    """forms.CheckboxInput (the admin's action checkbox per row, the tracking filters' box)."""


class QuickChoiceInputsMixin:
    """Radio buttons or checkboxes written as multiple_input.html and input_option.html write them
    (the options as Django's own optgroups make them: ids, checked, wrapped labels)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        id_, css = widget["attrs"].get("id"), widget["attrs"].get("class")
        shown_id = f' id="{_text(id_)}"' if id_ else ""
        shown_class = f' class="{_text(css)}"' if css else ""
        html = [f"<div{shown_id}{shown_class}>"]
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(f"\n  <div><label>{_text(group)}</label>")
            for option in options:
                if option["wrap_label"]:
                    target = option["attrs"].get("id")
                    label_for = f' for="{_text(target)}"' if target else ""
                    item = f"<label{label_for}>{_input(option)}\n {_text(option['label'])}</label>"
                else:
                    item = f"{_input(option)}\n"
                # input_option.html and radio_option.html each end with a newline.
                html.append(f"<div>\n    {item}\n\n</div>")
            if group:
                html.append("\n  </div>")
        html.append("\n</div>")
        return mark_safe("".join(html))  # noqa: S308 (every value is escaped by _text)


class QuickRadioSelect(QuickChoiceInputsMixin, forms.RadioSelect):
    pass


class QuickCheckboxSelectMultiple(QuickChoiceInputsMixin, forms.CheckboxSelectMultiple):
    pass
