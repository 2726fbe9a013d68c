"""A planned review: read, list, change by hand (checked by the kernel) and cancel. Its
table is the kernel's (``scheduling.planning.kernel.models``)."""
