"""The schedule solver: pure functions over plain dataclasses (no database, no HTTP).

``cpsat.solve(problem, options)`` is the engine; ``greedy.solve`` the careful-person baseline;
``checker.check`` the independent checker of every hard rule; ``synthetic`` makes test counties.
"""
