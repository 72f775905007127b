"""Small value types shared by every domain: money, time, identifiers."""
