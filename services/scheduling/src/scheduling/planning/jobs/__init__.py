"""Schedule jobs: generate a cycle's or an LA's draft, or repair a published plan, solved
in the background (``execution``) by the runner (``worker``)."""
