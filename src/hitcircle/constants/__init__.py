"""Game constants shared by every surface (privileges, modes, mods, statuses)."""
