"""Example programs for integrators (run in the tests against the real services)."""
