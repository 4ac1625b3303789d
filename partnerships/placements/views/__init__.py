"""Pages for placements: browse and read, the studio's postings and pipeline, students'
applications, university sign-off and evaluations. Thin: the rules live in ``services``."""
