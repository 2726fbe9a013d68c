"""What an operator watches: Prometheus metrics (and, beside them, traces and logs)."""
