"""Services: the rules of the server, used by every surface. SQL lives in `hitcircle.repositories`."""
