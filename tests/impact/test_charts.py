"""The SVG charts: well-formed XML, named for screen readers, every label escaped."""

import xml.etree.ElementTree as ET

from partnerships.impact.charts import Bar, Chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' \x00\x0b"


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own markup


def chart(kind="bars", bars=None, **kwargs) -> Chart:
    return Chart(
        kwargs.pop("chart_id", "chart-test"),
        kwargs.pop("title", "Events by kind"),
        kwargs.pop("description", "Events in the period, by kind."),
        "Kind",
        "Events",
        bars if bars is not None else [Bar("Workshop", 3), Bar("Guest lecture", 1)],
        kind=kind,
    )


def test_bar_chart_is_an_image_named_by_its_title_and_description():
    root = parse(chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-test-title chart-test-desc"
    assert root.find(f"{SVG}title").text == "Events by kind"
    assert root.find(f"{SVG}title").get("id") == "chart-test-title"
    assert root.find(f"{SVG}desc").text == "Events in the period, by kind."
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert texts == ["Workshop", "3", "Guest lecture", "1"]
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 3 * widths[1]  # proportional to the values


def test_labels_titles_and_descriptions_are_escaped():
    hostile = chart(
        title=HOSTILE, description=HOSTILE, bars=[Bar(HOSTILE, 2)], chart_id='x" onload="evil'
    )
    for kind in ("bars", "months"):
        hostile.kind = kind
        hostile.__dict__.pop("svg", None)
        markup = str(hostile.svg)
        assert "<script>" not in markup
        assert "onload=" not in markup.replace("&quot;", "")  # the id is reduced to [a-z0-9-]
        root = parse(hostile)  # parses: nothing broke out of its element or attribute
        assert root.find(f"{SVG}title").text == "<script>alert(\"x\")</script> & 'quotes' "
        assert any("<script>" in (el.text or "") for el in root.iter(f"{SVG}title"))


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_tooltip():
    long = "Consultancy / knowledge exchange with a very long name indeed"
    root = parse(chart(bars=[Bar(long, 1)]))
    group = root.find(f"{SVG}g")
    assert group.find(f"{SVG}title").text == f"{long}: 1"
    shown = group.find(f"{SVG}text").text
    assert shown.endswith("…") and len(shown) <= 30


def test_month_columns_show_every_month_and_the_scale():
    bars = [Bar("Jan 2025", 0), Bar("Feb 2025", 4), Bar("Mar 2025", 2)]
    root = parse(chart(kind="months", bars=bars))
    rects = list(root.iter(f"{SVG}rect"))
    assert float(rects[0].get("height")) == 0
    assert float(rects[1].get("height")) == 2 * float(rects[2].get("height"))
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert {"Jan 2025", "Feb 2025", "Mar 2025", "0", "2", "4"} <= set(texts)


def test_many_months_label_only_some_columns():
    bars = [Bar(f"M{n}", n) for n in range(36)]
    root = parse(chart(kind="months", bars=bars))
    labels = [el.text for el in root.iter(f"{SVG}text") if (el.text or "").startswith("M")]
    assert labels == [f"M{n}" for n in range(0, 36, 3)]


def test_an_empty_chart_says_so():
    assert chart(bars=[Bar("Workshop", 0)]).is_empty
    assert chart(bars=[]).is_empty
    assert not chart().is_empty
    assert chart().total == 4


def test_colours_meet_contrast_on_white():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    from partnerships.impact import charts

    for colour, minimum in ((charts.INK, 4.5), (charts.BAR, 3), (charts.AXIS, 3)):
        assert (1.05) / (luminance(colour) + 0.05) >= minimum
