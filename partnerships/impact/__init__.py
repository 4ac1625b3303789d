"""Impact figures: read-only aggregates over placements, projects, curriculum reviews and events."""
