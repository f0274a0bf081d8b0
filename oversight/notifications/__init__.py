"""Notifications: the in-app inbox always, and e-mail through SMTP when configured."""
