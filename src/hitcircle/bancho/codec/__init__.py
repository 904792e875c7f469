"""Bancho packet encoding and decoding (bancho-spec §6.3.1), independent of any handler."""
