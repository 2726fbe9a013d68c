"""A realistic synthetic county (LA 881 Essex's shape) for Critical Friend, loaded through the
services' public REST API as an integrator would: ``cf-demo`` / ``make demo``.

``demo.county`` generates it from a seed; ``demo.gias`` writes its GIAS extracts in DfE's
layout; ``demo.steps`` load it, each step idempotent; ``demo.walk`` takes the year's reviews
through their stages; ``demo.views`` prints what three kinds of reader see; ``demo.runner``
runs the steps.
"""
