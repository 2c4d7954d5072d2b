"""The forms of the support-case page: the team's answer and documents; staff's case id, state, note.

They check the input's shape for a friendly message next to the field; the services check it again
(and the permissions), so an admin action or a task cannot skip a rule.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .lifecycle import MANUAL_STATES
from .models import CaseState
from .references import invalid_case_id, parse_case_reference
from .services import ANSWER_MAX_LENGTH, clean_answer


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer to AWS Support"),
        widget=forms.Textarea(attrs={"rows": 6}),
        # Not max_length: an over-long answer gets the message that says by how much.
        strip=True,
        required=False,
        help_text=_("AWS Support reads it in the case. At most 8,000 characters."),
    )

    def clean_body(self) -> str:
        return clean_answer(self.cleaned_data.get("body") or "")


class CaseIdForm(forms.Form):
    reference = forms.CharField(
        label=_("AWS case ID"),
        max_length=200,
        help_text=_(
            "The case ID (case-123456789012-muen-2024-1a2b3c4d5e6f7890) or the case number the Support "
            "Center shows once you have submitted the case."
        ),
    )

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"]
        if parse_case_reference(value) is None:
            raise invalid_case_id()
        return value.strip()


class CaseStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("What AWS Support said"),
        choices=[(value, label) for value, label in CaseState.choices if value in MANUAL_STATES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        help_text=_(
            "What AWS said, in a few words. When AWS asks for information, paste its question: the team "
            "reads it as AWS's message."
        ),
    )

    def __init__(self, *args, states: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if states is not None:
            self.fields["state"].choices = [c for c in self.fields["state"].choices if c[0] in states]


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, PNG or JPEG, at most 5 MB; at most 3 documents (e.g. a letter of authorization)."),
    )


__all__ = ["ANSWER_MAX_LENGTH", "AnswerForm", "CaseIdForm", "CaseStateForm", "DocumentForm"]
