"""Public disclosure (信息公开): publications of key topics, rectification status, typical cases and public
reports, their review with the redaction check, and the public portal and feed that show them."""
