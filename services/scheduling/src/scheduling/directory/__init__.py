"""The directory wing: what partnerships set up and GIAS feeds (schools, trusts, partnerships
and their members, people, calendars, cycles). Who may see and change a row is each
aggregate's ``tenancy.py``, over one reading of the token's claims (``claims``). It never
imports the planning wing."""
