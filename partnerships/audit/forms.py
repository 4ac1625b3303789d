"""The audit list's filters (a GET form: every field optional)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the target, people, organisation, values or request id."),
    )
    action = forms.ChoiceField(label=_("Change"), required=False)
    organisation = forms.CharField(
        label=_("Organisation"), required=False, max_length=160, help_text=_("Part of its name.")
    )
    actor = forms.CharField(
        label=_("Changed by"),
        required=False,
        max_length=254,
        help_text=_("Part of an email address, or “system”."),
    )
    target_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    target = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=300,
        help_text=_("Its number, or part of its name."),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any change")), *registry.action_choices()]
        self.fields["target_type"].choices = [("", _("Any kind")), *registry.target_choices()]

    def clean(self):
        data = super().clean()
        for name in ("q", "organisation", "actor", "target"):
            if "\x00" in (data.get(name) or ""):
                self.add_error(name, _("Remove the control characters."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The filters that are valid (an invalid one is shown as an error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: value
            for name, value in cleaned.items()
            if name not in self.errors and value not in (None, "")
        }
