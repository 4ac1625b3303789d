"""FastSelect renders exactly what Django's Select renders, only faster."""

import re

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from partnerships.core.widgets import FastSelect

CHOICES = [
    ("", "Any organiser"),
    ("pixel-forge", "Pixel Forge"),
    ("a&b", 'Fish & "Chips" <Studio>'),
    ("lazy", gettext_lazy("Any & every <kind>")),
    (3, "A number's value"),
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


def test_named_choices_are_the_same_options_without_instances(db, django_assert_num_queries):
    from events.forms import BrowseForm
    from partnerships.organisations.models import Organisation
    from tests.factories import OrganisationFactory

    for name in ("Pixel Forge", "Fish & Chips <Studio>", "Arden School of Art"):
        OrganisationFactory(name=name)
    form = BrowseForm({"organiser": Organisation.objects.get(name="Pixel Forge").slug})
    field = form.fields["organiser"]
    plain = [
        ("", "Any organiser"),
        *((o.slug, str(o)) for o in Organisation.objects.verified().order_by("name")),
    ]
    assert list(field.choices) == plain
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organiser"].name == "Pixel Forge"
    with django_assert_num_queries(1):
        html = form["organiser"].as_widget()
    assert normalised(html) == normalised(
        forms.Select(choices=plain).render(
            "organiser", form["organiser"].value(), {"id": "id_organiser"}
        )
    )
    assert BrowseForm({"organiser": "nobody"}).is_valid() is False
