"""Logging in with DigiD and eHerkenning through OpenID Connect."""
