"""The reviews service."""
