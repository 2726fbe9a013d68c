"""The directory wing: what partnerships set up and GIAS feeds (schools, trusts, partnerships
and their members, people, calendars, cycles) and who may see and change it (``tenancy``).
It never imports the planning wing."""
