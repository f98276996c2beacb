"""Slash-command cogs: thin adapters that parse options, call queries and hand results to renderers."""
