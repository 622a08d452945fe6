"""Benchmarks that print figures next to their goals (never timed assertions in tests)."""
