"""The `hitcircle` operator command."""
