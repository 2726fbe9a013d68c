"""Read models that several services keep of another service's events, written once.

Each service keeps its own copy (its own tables, on its own declarative base, in its own
Alembic history): this package gives the columns and the code that applies the events, never a
shared database. It depends on ``common`` and ``contracts``, and no service.
"""
