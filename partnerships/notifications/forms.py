from django import forms

from .models import Frequency, NotificationType


class PreferencesForm(forms.Form):
    """One radio group of frequencies per notification type (rendered as fieldset + legend)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for type_, label in NotificationType.choices:
            self.fields[type_] = forms.ChoiceField(
                label=label, choices=Frequency.choices, widget=forms.RadioSelect
            )
