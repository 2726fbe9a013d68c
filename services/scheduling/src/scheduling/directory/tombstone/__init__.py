"""Tombstones: what was deleted from a collection an MIS mirrors, and when, as a feed."""
