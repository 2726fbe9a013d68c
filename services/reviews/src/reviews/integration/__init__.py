"""What third-party front ends, trust MIS systems and councils integrate with: the review
lifecycle as Standard Webhooks, a live Server-Sent Events stream and a paged feed, each
filtered by the caller's tenancy (the machinery is ``common.webhooks`` and
``common.eventstream``; this package hosts it)."""
