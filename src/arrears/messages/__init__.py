"""Customer-facing message text: the one owner of what a customer reads (formatting, names, templates)."""
