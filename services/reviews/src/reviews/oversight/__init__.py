"""A council's view of its year's reviews: each partnership's progress (planned, held,
reported, 90-day review done, overdue), counted, never a school."""
