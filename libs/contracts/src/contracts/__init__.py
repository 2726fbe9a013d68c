"""Event payload models and subjects: the published language between services."""
