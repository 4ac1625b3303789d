"""The summary figures against a fixture counted by hand, and the CSV export.

Four submitted responses to the review (a draft and another review's response must not count):

    relevance  missing skills      over-weighted skills
    5          Unreal, Houdini     Photoshop
    4          Unreal              Photoshop, Figma
    4          Unreal, Figma       —
    2          Houdini             Photoshop

    responses 4 · mean 15 / 4 = 3.75 · ratings 1:0 2:1 3:0 4:2 5:1 (0%, 25%, 0%, 50%, 25%)
    missing: Unreal 3, Houdini 2, Figma 1 · over-weighted: Photoshop 3, Figma 1
"""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.curriculum import selectors
from partnerships.curriculum.exports import neutralise

from .conftest import ReviewerFactory, ReviewFactory, make_industry_people, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(open_review, skills, university):
    s = skills
    open_review.reviewers_wanted = 5
    open_review.save()
    people = make_industry_people(6)
    rows = [
        ReviewerFactory(review=open_review, user=user, organisation=studio, status="accepted")
        for user, studio in people[:5]
    ]
    make_response(
        rows[0],
        relevance=5,
        missing=[s["unreal"], s["houdini"]],
        over=[s["photoshop"]],
        comments='=HYPERLINK("http://evil.example","click")',
    )
    make_response(
        rows[1],
        relevance=4,
        missing=[s["unreal"]],
        over=[s["photoshop"], s["figma"]],
        suggested_changes="+SUM(A1:A9)",
    )
    make_response(
        rows[2],
        relevance=4,
        missing=[s["unreal"], s["figma"]],
        missing_skills_other="-2+3",
        comments='Plain, with a comma and "quotes"',
    )
    make_response(
        rows[3],
        relevance=2,
        missing=[s["houdini"]],
        over=[s["photoshop"]],
        overweighted_skills_other="@SUM(1+1)",
    )
    # Not counted: a draft, and a response to another review.
    make_response(rows[4], relevance=1, missing=[s["blender"]], submitted=False)
    elsewhere = ReviewFactory(institution=university)
    other = ReviewerFactory(
        review=elsewhere, user=people[5][0], organisation=people[5][1], status="accepted"
    )
    make_response(other, relevance=1, missing=[s["unreal"]], over=[s["blender"]])
    return open_review


EXPECTED_DISTRIBUTION = [
    {"relevance": 1, "count": 0, "percent": 0},
    {"relevance": 2, "count": 1, "percent": 25},
    {"relevance": 3, "count": 0, "percent": 0},
    {"relevance": 4, "count": 2, "percent": 50},
    {"relevance": 5, "count": 1, "percent": 25},
]
EXPECTED_MISSING = [
    {"slug": "unreal", "name": "Unreal Engine", "count": 3},
    {"slug": "houdini", "name": "Houdini", "count": 2},
    {"slug": "figma", "name": "Figma", "count": 1},
]
EXPECTED_OVER = [
    {"slug": "photoshop", "name": "Photoshop", "count": 3},
    {"slug": "figma", "name": "Figma", "count": 1},
]


def test_summary_matches_the_hand_count(counted, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # totals, distribution, two skill rankings
        summary = selectors.review_summary(counted)
    assert summary == {
        "responses": 4,
        "mean_relevance": 3.75,
        "distribution": EXPECTED_DISTRIBUTION,
        "missing_skills": EXPECTED_MISSING,
        "overweighted_skills": EXPECTED_OVER,
    }


def test_summary_of_a_review_without_responses(open_review):
    summary = selectors.review_summary(open_review)
    assert summary["responses"] == 0
    assert summary["mean_relevance"] is None
    assert [b["count"] for b in summary["distribution"]] == [0, 0, 0, 0, 0]
    assert summary["missing_skills"] == summary["overweighted_skills"] == []


def test_summary_page_shows_the_figures_as_a_table(client, counted, lecturer):
    client.force_login(lecturer)
    response = client.get(reverse("curriculum:summary", args=[counted.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "3.75" in page
    assert "<caption" in page and 'scope="col"' in page
    assert "Unreal Engine</th><td>3</td>" in page
    assert "Photoshop</th><td>3</td>" in page
    assert "Blender" not in page  # only in the draft and the other review
    assert reverse("curriculum:export", args=[counted.pk]) in page


def test_summary_through_the_api(counted, platform_admin):
    api = APIClient()
    api.force_authenticate(platform_admin)
    response = api.get(f"/api/curriculum-reviews/{counted.pk}/summary/")
    assert response.status_code == 200
    body = response.json()
    assert body["responses"] == 4
    assert body["mean_relevance"] == 3.75
    assert body["distribution"] == EXPECTED_DISTRIBUTION
    assert body["missing_skills"] == EXPECTED_MISSING
    assert body["overweighted_skills"] == EXPECTED_OVER


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export(client, counted, lecturer):
    client.force_login(lecturer)
    response = client.get(reverse("curriculum:export", args=[counted.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="curriculum-review-{counted.pk}-Review-our-Games-Art-BA.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = read_csv(response)
    assert rows[0][:5] == [
        "Response",
        "Reviewer",
        "Organisation",
        "Submitted at",
        "Relevance (1-5)",
    ]
    body = rows[1:]
    assert len(body) == 4  # submitted responses of this review only
    assert [row[4] for row in body] == ["5", "4", "4", "2"]
    assert body[0][5] == "Unreal Engine; Houdini" or body[0][5] == "Houdini; Unreal Engine"
    assert body[0][10] == '\'=HYPERLINK("http://evil.example","click")'
    assert body[1][9] == "'+SUM(A1:A9)"
    assert body[2][6] == "'-2+3"
    assert body[2][10] == 'Plain, with a comma and "quotes"'
    assert body[3][8] == "'@SUM(1+1)"
    dangerous = [cell for row in body for cell in row if cell[:1] in ("=", "+", "-", "@")]
    assert dangerous == []


def test_csv_filename_is_safe(client, counted, lecturer):
    counted.title = '../../etc/passwd"; evil=1'
    counted.save()
    client.force_login(lecturer)
    response = client.get(reverse("curriculum:export", args=[counted.pk]))
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="curriculum-review-{counted.pk}-etc-passwd-evil-1.csv"'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("fine = ok", "fine = ok"),
        ("", ""),
        (5, 5),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
