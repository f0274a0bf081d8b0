"""Every change to a topic, its three lists and its rectification items — one function per use case.
Each checks the workflow and the actor, mutates, writes the timeline and the audit, queues
notifications and flushes. Nothing here commits."""
