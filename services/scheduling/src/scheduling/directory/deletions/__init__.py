"""The feed of deletions (``/v1/tombstones``) an MIS syncs from: who may see which."""
