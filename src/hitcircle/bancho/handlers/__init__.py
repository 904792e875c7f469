"""Handlers for client packets; they read and write `hitcircle.live`."""
