"""Tables for scheduled briefings (filled in by the briefings work)."""
