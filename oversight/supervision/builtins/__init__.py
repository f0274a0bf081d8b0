"""The built-in model functions, one per module; each registers itself in `registry.FUNCTIONS` on import.
Tables of packages built on `oversight` (issues) are read through the shared metadata, by name, so the
core still imports none of them."""
