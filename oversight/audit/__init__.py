"""The audit chain: an append-only log where each entry hashes its content and the previous hash,
so any row changed or removed directly in the database is found by `flask audit verify`."""
