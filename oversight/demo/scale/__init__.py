"""Demo data at scale: `flask demo scale --profile small|county|municipality` — a municipality's years
of work, generated in bulk but through the same rules as the app (workflow tables, deadline rules,
audit chain). Later packages add their own generators in `generate.STAGES`."""
