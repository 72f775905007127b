"""The `arrears` command line."""
