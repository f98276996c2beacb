"""A test double of Discord's REST API and gateway (test-only code)."""
