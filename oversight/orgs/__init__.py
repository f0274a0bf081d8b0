"""Organisations: the tree of NPC standing committees, their bodies and liaison stations, and the
procuratorates with their departments; the pairing of committees with procuratorates; scoping."""
