"""Liaison: liaison bodies and persons, liaison meetings with minutes and action items, and
exchange activities (issue 6). Imports `oversight`; `oversight` never imports this package."""
