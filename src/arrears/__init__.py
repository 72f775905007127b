"""Arrears: an open-source collections engine."""
