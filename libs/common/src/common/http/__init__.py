"""HTTP kit: problem details, middlewares, pagination, ETags, idempotency and the app factory.

Import from the submodules (``common.http.problems`` ...): this package re-exports nothing, so
that ``common.auth`` can use the problem helpers while ``common.http.app`` uses ``common.auth``.
"""
