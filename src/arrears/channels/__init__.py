"""Outbound channels behind one interface; local sinks today, vendors (SMTP, Twilio) plug in beside them."""
