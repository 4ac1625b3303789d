from datetime import timedelta

import pytest
from django.utils import timezone

from partnerships.projects import services

LIVE_BRIEF = {
    "kind": "live_brief",
    "title": "Rebrand a city museum for young audiences",
    "summary": "Second-year graphic design students rethink the museum's identity.",
    "description": "A **live brief** with a real client.",
    "ip_ownership": "Students keep their IP; the studio licenses the chosen design.",
    "student_credit": "Named on the museum's website and in the launch press release.",
    "is_paid": True,
    "payment_details": "£300 for each of the three finalists",
    "deliverables": "Logo, type system, three poster mock-ups.",
    "mode": "hybrid",
    "location": "Manchester",
}


def future(days: int = 30):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def make_call():
    def make(actor, organisation, publish=True, **overrides):
        data = {**LIVE_BRIEF, "deadline": future(), **overrides}
        call = services.opportunity_create(actor=actor, organisation=organisation, **data)
        if publish:
            call = services.opportunity_publish(actor=actor, opportunity=call)
        return call

    return make


PROPOSAL = {
    "team": "Two designers and a motion designer.",
    "approach": "Workshops with students, then a studio sprint.",
    "experience": "We rebranded three galleries.",
    "availability": "From January, two days a week.",
}


@pytest.fixture
def propose():
    def make(actor, opportunity, organisation, **overrides):
        return services.proposal_submit(
            actor=actor, opportunity=opportunity, organisation=organisation,
            **{**PROPOSAL, **overrides},
        )  # fmt: skip

    return make
