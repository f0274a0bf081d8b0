"""The web shell: security headers and the login requirement, locale, template helpers, error
pages, and the home page each role lands on."""
