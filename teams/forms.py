"""Forms of the team page: adding a member, changing a role."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class MemberAddForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        error_messages={"required": _("Enter the username or email of the person to add.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
