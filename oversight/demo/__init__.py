"""Demo data: a believable municipality (江州市, fictional) with one account per role."""
