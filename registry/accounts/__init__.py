"""The people's side of signing in: the second factor of staff, password change and reset.

The sign-in form itself is Django's, throttled by django-axes (registry.throttling); this package
adds what comes after the password and what a person does when the password is lost.
"""
