"""The planning kernel: the plan's tables (a cycle's schedule, its planned reviews) and events,
the context loaded for an LA's year, the solver problem built from it, a plan's check and
change, and the schedule's quality report."""
