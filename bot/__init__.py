"""The Discord client, settings, renderers and the offline console."""
