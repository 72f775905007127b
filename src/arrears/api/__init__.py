"""The REST API: `POST /v1/events`, read endpoints for cases, customers and outcomes, API keys."""

from arrears.api.app import create_app

__all__ = ["create_app"]
