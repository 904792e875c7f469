"""Live state: who is online, their status, and multiplayer matches.

One interface (`LiveState`) with an in-process implementation (the embedded default) and a Redis one
shared by several workers and hosts. The bancho protocol writes it; the developer API reads it.
"""
