"""A council's coverage of its year: schools in no partnership, partnerships with no lead or no
cycle. Counts of schools only; partnerships are named (they are not schools)."""
