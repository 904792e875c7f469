"""hitcircle: an osu! private server whose developer API is the bancho.py API."""

__version__ = "0.1.0"
