"""Calendars: term and half-term dates per local authority, per-school overrides, INSET days,
blackout periods by phase, and school-day arithmetic for milestones."""
