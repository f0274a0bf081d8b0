"""Statistics, dashboards, PDF/XLSX reports, the public portal and public evaluation (issues 7, 8).
May read every package; nothing imports `reports`."""
