"""Cycles: one partnership's academic year of reviews, its policy, and each member school's
request."""
