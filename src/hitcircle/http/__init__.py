"""A small ASGI toolkit: requests, responses, routing and pydantic-validated query parameters.

hitcircle does not use a web framework; see docs/architecture.md ("Web stack") for why.
"""
