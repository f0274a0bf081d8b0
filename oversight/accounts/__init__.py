"""People and roles: accounts, the roles of DESIGN.md §2, deputies' profiles, login and lockout."""
