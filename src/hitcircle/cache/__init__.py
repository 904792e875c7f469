"""Read caching with write-driven invalidation.

Every table has a version counter (`versions.py`): in a small memory-mapped file shared by the processes
of one host, or in Redis when several hosts share the database. Every INSERT, UPDATE or DELETE that goes
through hitcircle's engine bumps the versions of the tables it touched, once when it runs and again when
its connection returns to the pool (after the commit), so no reader can cache pre-commit data under the
new version (`invalidation.py`). `ReadCache` (`readcache.py`) keeps query results with the versions of
the tables they read and serves them only while those versions are unchanged.
"""
