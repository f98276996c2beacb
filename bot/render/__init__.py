"""Turns query results into Discord payloads (embeds, files, pages) within Discord's limits."""
