"""A hand-built world whose impact figures are counted by hand in the tests.

Period under test: 1 January – 30 June 2025. ``IN`` falls inside it, ``OLD`` before it.

Organisations: Northbridge (institution ``uni``), Southgate (institution ``uni2``), Pixel Forge
(industry ``studio``, games sector) and Other Studio (industry ``other``, film sector).

Placements (published):           Applications (submitted IN unless said):
  P1 studio games GBP 450/week ×2    a1 P1 s1 uni  completed, student + supervisor evaluation,
  P2 studio games GBP 2000/month                   hired after the placement
  P3 studio games unpaid             a2 P1 s2 uni  accepted, student evaluation
  P4 other  film  EUR 500 total      a3 P2 s1 uni  rejected
  P5 studio games GBP 450/week ×3    a4 P2 s3 uni2 offered
     published OLD                   a5 P3 s3 uni2 completed, for credit, supervisor evaluation,
  P6 studio draft (never published)                not hired after the placement
  P7 other  film  GBP 300/week       a6 P4 s2 uni  declined
                                     a7 P4 s4 uni2 submitted
                                     a8 P5 s1 uni  completed, submitted OLD, hired
                                     a9 P1 s5 uni  draft (never submitted)

Opportunities: O1 studio research open games; O2 uni guest-lecture request agreed film (studio
proposed); O3 other workshop completed (uni proposed); O4 studio draft; O5 other consultancy
published OLD.

Partnerships (funding attracted in brackets):
  PS1 uni–studio   active from 2024-09-01 (GBP 10,000)
  PS2 uni–other    ended, 2024-01-01 to 2024-12-31 (EUR 2,000)
  PS3 uni2–studio  active from 2025-02-01 (GBP 5,000.50)
  PS4 uni2–other   proposed (GBP 999: not counted, never confirmed)
  PS5 uni–other    active from 2025-05-01 (EUR 3,000)

Curriculum reviews: R1 uni completed IN (created OLD, studio reviewed); R2 uni open (created IN);
R3 uni2 completed IN (created IN, other reviewed); R4 uni draft.

Events (starting IN unless said; admission free unless said; academic staff days in brackets,
none recorded unless said):
  E1 studio guest lecture, in person, public, completed, games: 3 confirmed (2 checked in),
     1 cancelled (1.5 days)
  E2 uni showcase, hybrid, public, published, chargeable: 2 confirmed (2 checked in),
     1 waitlisted
  E3 other workshop, online, students only, completed, film, via PS2 (uni–other): 1 confirmed
     checked in, 1 pending (0.5 days)
  E4 studio networking, cancelled: 1 confirmed (2 days: not counted, it did not take place)
  E5 studio seminar, online, public, completed, chargeable, starting OLD: 1 confirmed checked
     in (1 day)
  E6 studio guest lecture, online, public, published, chargeable, games, via PS3 (uni2–studio):
     1 confirmed (0.25 days)
"""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role, StudyLevel
from events.models import Admission, Audience, EventFormat, EventKind, EventStatus
from partnerships.curriculum.models import CurriculumReview, Reviewer, ReviewStatus
from partnerships.impact.metrics import Scope
from partnerships.organisations.models import Kind
from partnerships.placements.models import (
    ApplicationStatus,
    PayPeriod,
    PlacementStatus,
    StudentEvaluation,
    SupervisorEvaluation,
)
from partnerships.projects.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Partnership,
    PartnershipStatus,
    Proposal,
)
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.factories import OrganisationFactory, SectorFactory, UserFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory

UTC = datetime.UTC
IN = datetime.datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
OLD = datetime.datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 6, 30)

A = ApplicationStatus


def build_world(games, film) -> dict:
    """Create the world described above; callable more than once (fresh organisations)."""
    uni = OrganisationFactory(kind=Kind.INSTITUTION)
    uni2 = OrganisationFactory(kind=Kind.INSTITUTION)
    studio = OrganisationFactory(kind=Kind.INDUSTRY)
    other = OrganisationFactory(kind=Kind.INDUSTRY)
    studio.sectors.add(games)
    other.sectors.add(film)

    def placement(org, sector, published=IN, **kw):
        return PlacementFactory(
            organisation=org,
            sector=sector,
            published_at=published,
            created_at=published or IN,
            **kw,
        )

    p1 = placement(studio, games, pay_amount=Decimal("450"), pay_period=PayPeriod.WEEK, positions=2)
    p2 = placement(
        studio, games, pay_amount=Decimal("2000"), pay_period=PayPeriod.MONTH, positions=1
    )
    p3 = placement(studio, games, is_paid=False, pay_amount=None, pay_period="", positions=1)
    p4 = placement(
        other,
        film,
        pay_amount=Decimal("500"),
        pay_currency="EUR",
        pay_period=PayPeriod.TOTAL,
        positions=1,
    )
    p5 = placement(studio, games, published=OLD, pay_amount=Decimal("450"), positions=3)
    placement(studio, games, published=None, status=PlacementStatus.DRAFT)
    placement(other, film, pay_amount=Decimal("300"), pay_period=PayPeriod.WEEK, positions=1)

    s1, s2, s3, s4, s5 = (UserFactory(role=Role.STUDENT) for _ in range(5))

    def apply(p, student, institution, status, submitted=IN, **kw):
        return ApplicationFactory(
            placement=p,
            student=student,
            institution=institution,
            status=status,
            submitted_at=submitted,
            **kw,
        )

    a1 = apply(p1, s1, uni, A.COMPLETED, hired_after_placement=True)
    a2 = apply(p1, s2, uni, A.ACCEPTED)
    apply(p2, s1, uni, A.REJECTED)
    apply(p2, s3, uni2, A.OFFERED)
    a5 = apply(p3, s3, uni2, A.COMPLETED, for_credit=True, hired_after_placement=False)
    apply(p4, s2, uni, A.DECLINED)
    apply(p4, s4, uni2, A.SUBMITTED)
    apply(p5, s1, uni, A.COMPLETED, submitted=OLD, hired_after_placement=True)
    apply(p1, s5, uni, A.DRAFT, submitted=None)
    for application in (a1, a2):
        StudentEvaluation.objects.create(application=application, overall=5, learning=4, support=4)
    for application in (a1, a5):
        SupervisorEvaluation.objects.create(
            application=application,
            supervisor_name="Oscar",
            overall=4,
            skills=4,
            professionalism=5,
            communication=4,
        )

    def opportunity(org, kind, status, published=IN, sector=None):
        opp = Opportunity.objects.create(
            organisation=org,
            kind=kind,
            title=f"{kind} call",
            summary="A call",
            description="A call for partners.",
            deadline=IN + datetime.timedelta(days=30),
            status=status,
            published_at=published,
        )
        if sector is not None:
            opp.sectors.add(sector)
        return opp

    def propose(opp, org):
        Proposal.objects.create(
            opportunity=opp,
            organisation=org,
            team="Us",
            approach="Carefully",
            experience="Some",
            availability="Spring",
        )

    opportunity(studio, OpportunityKind.RESEARCH, OpportunityStatus.OPEN, sector=games)
    o2 = opportunity(uni, OpportunityKind.GUEST_LECTURE, OpportunityStatus.AGREED, sector=film)
    o3 = opportunity(other, OpportunityKind.WORKSHOP, OpportunityStatus.COMPLETED)
    opportunity(studio, OpportunityKind.RESEARCH, OpportunityStatus.DRAFT, published=None)
    opportunity(other, OpportunityKind.CONSULTANCY, OpportunityStatus.OPEN, published=OLD)
    propose(o2, studio)
    propose(o3, uni)

    def partnership(inst, partner, status, start=None, end=None, funding=None, currency="GBP"):
        return Partnership.objects.create(
            institution=inst,
            industry_partner=partner,
            title="Partnership",
            status=status,
            start_date=start,
            end_date=end,
            funding_amount=None if funding is None else Decimal(funding),
            funding_currency=currency,
        )

    partnership(uni, studio, PartnershipStatus.ACTIVE, datetime.date(2024, 9, 1), funding="10000")
    ps2 = partnership(
        uni,
        other,
        PartnershipStatus.ENDED,
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
        funding="2000",
        currency="EUR",
    )
    ps3 = partnership(
        uni2, studio, PartnershipStatus.ACTIVE, datetime.date(2025, 2, 1), funding="5000.50"
    )
    partnership(uni2, other, PartnershipStatus.PROPOSED, funding="999")
    partnership(
        uni,
        other,
        PartnershipStatus.ACTIVE,
        datetime.date(2025, 5, 1),
        funding="3000",
        currency="EUR",
    )

    def review(inst, status, created, changed=None, reviewer_org=None):
        r = CurriculumReview.objects.create(
            institution=inst,
            title="Review",
            course_name="BA Games Art",
            level=StudyLevel.UNDERGRADUATE,
            learning_outcomes="Outcomes",
            deadline=created.date() + datetime.timedelta(days=30),
            status=status,
            status_changed_at=changed,
            created_at=created,
        )
        if reviewer_org is not None:
            Reviewer.objects.create(
                review=r, user=UserFactory(role=Role.INDUSTRY), organisation=reviewer_org
            )
        return r

    review(uni, ReviewStatus.COMPLETED, OLD, IN, reviewer_org=studio)
    review(uni, ReviewStatus.OPEN, IN)
    review(uni2, ReviewStatus.COMPLETED, IN, IN, reviewer_org=other)
    review(uni, ReviewStatus.DRAFT, IN)

    def event(org, kind, fmt, status, starts=IN, audience=Audience.PUBLIC, **kw):
        sector = kw.pop("sector", None)
        e = EventFactory(
            organisation=org,
            kind=kind,
            format=fmt,
            status=status,
            starts_at=starts,
            audience=audience,
            **kw,
        )
        if sector is not None:
            e.sectors.add(sector)
        return e

    def register(e, confirmed=0, checked_in=0, **others):
        for number in range(confirmed):
            RegistrationFactory(event=e, checked_in_at=IN if number < checked_in else None)
        for status, count in others.items():  # keyword names are RegistrationStatus values
            for _ in range(count):
                RegistrationFactory(event=e, status=status, confirmed_at=None)

    e1 = event(
        studio,
        EventKind.GUEST_LECTURE,
        EventFormat.IN_PERSON,
        EventStatus.COMPLETED,
        sector=games,
        academic_staff_days=Decimal("1.5"),
    )
    register(e1, confirmed=3, checked_in=2, cancelled=1)
    e2 = event(
        uni,
        EventKind.SHOWCASE,
        EventFormat.HYBRID,
        EventStatus.PUBLISHED,
        admission=Admission.CHARGEABLE,
    )
    register(e2, confirmed=2, checked_in=2, waitlisted=1)
    e3 = event(
        other,
        EventKind.WORKSHOP,
        EventFormat.ONLINE,
        EventStatus.COMPLETED,
        audience=Audience.STUDENTS,
        partnership=ps2,
        sector=film,
        academic_staff_days=Decimal("0.5"),
    )
    register(e3, confirmed=1, checked_in=1, pending=1)
    e4 = event(
        studio,
        EventKind.NETWORKING,
        EventFormat.IN_PERSON,
        EventStatus.CANCELLED,
        academic_staff_days=Decimal("2"),
    )
    register(e4, confirmed=1)
    e5 = event(
        studio,
        EventKind.SEMINAR,
        EventFormat.ONLINE,
        EventStatus.COMPLETED,
        starts=OLD,
        admission=Admission.CHARGEABLE,
        academic_staff_days=Decimal("1"),
    )
    register(e5, confirmed=1, checked_in=1)
    e6 = event(
        studio,
        EventKind.GUEST_LECTURE,
        EventFormat.ONLINE,
        EventStatus.PUBLISHED,
        partnership=ps3,
        sector=games,
        admission=Admission.CHARGEABLE,
        academic_staff_days=Decimal("0.25"),
    )
    register(e6, confirmed=1)

    return {"uni": uni, "uni2": uni2, "studio": studio, "other": other}


@pytest.fixture
def sectors(db):
    return {
        "games": SectorFactory(name="Games", slug="impact-games"),
        "film": SectorFactory(name="Film", slug="impact-film"),
    }


@pytest.fixture
def world(sectors):
    return build_world(sectors["games"], sectors["film"])


@pytest.fixture
def period_scope():
    def make(organisation=None, sector=None, start=START, end=END):
        return Scope(organisation=organisation, start=start, end=end, sector=sector)

    return make
