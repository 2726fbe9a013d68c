"""A cycle's schedule: its draft, publication and quality. Its table is the kernel's
(``scheduling.planning.kernel.models``)."""
