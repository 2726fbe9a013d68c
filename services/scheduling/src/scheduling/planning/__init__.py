"""The planning wing: the year's reviews. ``solver`` (pure: standard library and OR-Tools),
``kernel`` (the plan's tables and the rules that build, check and change a plan), ``jobs``
(solving in the background), ``schedules`` (drafts and publication), ``reviews`` (a planned
review), ``meetings``, ``feeds`` (calendar subscriptions) and ``people`` (what a person's
unavailability and conflicts mean for the plan). It reads the directory; never the reverse."""
