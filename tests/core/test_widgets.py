"""FastSelect renders exactly what Django's Select renders, only faster."""

import re

import pytest
from django import forms

from partnerships.core.widgets import FastSelect

CHOICES = [
    ("", "Any organiser"),
    ("pixel-forge", "Pixel Forge"),
    ("a&b", 'Fish & "Chips" <Studio>'),
    ("Groups", [("x", "Ex"), ("y", "Why")]),
]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "pixel-forge", "a&b", "y", "unknown"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_organiser", "required": True, "aria-describedby": "h e"}]
)
def test_same_html_as_select(value, attrs):
    slow = forms.Select(choices=CHOICES).render("organiser", value, attrs)
    fast = FastSelect(choices=CHOICES).render("organiser", value, attrs)
    assert normalised(fast) == normalised(slow)


def test_same_html_in_a_bound_model_form_field(db):
    from events.forms import BrowseForm

    form = BrowseForm({"organiser": "nobody", "sector": ""})
    field = form["sector"]
    assert normalised(field.as_widget()) == normalised(
        forms.Select(choices=field.field.choices).render(
            field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id})
        )
    )
