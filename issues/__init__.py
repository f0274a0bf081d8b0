"""Oversight topics and the three lists — issue, responsibility, rectification — tracked to
sign-off (issue 5). Imports `oversight`; `oversight` never imports this package."""
