"""Public evaluation (群众评议): campaigns over published items, one-time invitation tokens, ratings and results."""
