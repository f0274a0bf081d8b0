"""Attachments: files checked by their content, stored outside the web root under their SHA-256,
and handed out only after a permission check that is audited."""
