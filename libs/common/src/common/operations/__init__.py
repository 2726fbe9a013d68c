"""What an operator does to a running system: read the backlog, inspect and replay dead letters,
replay a consumer from a stream position. ``cf ops`` is the command line over these."""
