"""``ChoiceLabelField`` gives what ``get_<field>_display`` gives, without its per-row cost."""

import pytest
from django.utils import translation
from rest_framework import serializers

from events.models import Event, EventKind, EventStatus
from partnerships.core.serializers import ChoiceLabelField


class KindSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField("kind")
    status_display = ChoiceLabelField("status")

    class Meta:
        model = Event
        fields = ["kind", "kind_display", "status_display"]


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_choice_reads_as_its_display(kind):
    event = Event(kind=kind, status=EventStatus.PUBLISHED)
    data = KindSerializer(event).data
    assert data["kind_display"] == event.get_kind_display()
    assert data["status_display"] == event.get_status_display() == "Published"


def test_a_value_outside_the_choices_is_given_back_as_it_is():
    event = Event(kind="retired-kind", status=EventStatus.DRAFT)
    assert KindSerializer(event).data["kind_display"] == "retired-kind"


def test_many_rows_share_one_table_of_labels_per_language():
    events = [Event(kind=kind, status=EventStatus.DRAFT) for kind in EventKind] * 3
    serializer = KindSerializer(events, many=True)
    data = serializer.data
    assert [row["kind_display"] for row in data] == [e.get_kind_display() for e in events]
    field = serializer.child.fields["kind_display"]
    assert list(field._labels) == [translation.get_language()]
    with translation.override("de"):  # another language gets its own table
        assert field.to_representation(EventKind.WORKSHOP) == str(EventKind.WORKSHOP.label)
    assert len(field._labels) == 2


def test_a_field_outside_the_serializers_model_is_refused_when_bound():
    from django.core.exceptions import ImproperlyConfigured

    class Wrong(serializers.ModelSerializer):
        organiser_kind = ChoiceLabelField("organisation.kind")

        class Meta:
            model = Event
            fields = ["organiser_kind"]

    with pytest.raises(ImproperlyConfigured, match="serializer's own model"):
        Wrong(Event()).fields  # noqa: B018 — binding the fields is the check
