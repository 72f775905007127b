"""Errors of configuration the composition root refuses to start with (the CLI prints them, exit code 2)."""

from __future__ import annotations


class ConfigError(RuntimeError):
    """A setting the running product cannot do without is missing or wrong; the message says which."""


class BusinessNameMissing(ConfigError):
    """No business name: no customer may receive a message that does not say who it is from."""

    def __init__(self) -> None:
        super().__init__(
            "no business name configured: set ARREARS_BUSINESS_NAME to the name your messages are signed "
            "with (e.g. ARREARS_BUSINESS_NAME='Northwind Energy')"
        )
