"""The tombstone table: what was deleted from a collection an MIS mirrors, and when. Written
by the aggregates that delete (partnership members, a person's records); read by
``scheduling.directory.deletions``."""
