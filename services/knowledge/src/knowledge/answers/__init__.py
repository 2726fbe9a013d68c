"""The answers wing: what the knowledge service tells its readers, read from the intake wing's
tables. Disclosure (who may see what, and suppression), insights, measures, support brokering,
the research library and the search routes."""
