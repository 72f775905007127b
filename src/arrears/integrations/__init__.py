"""Vendor edges the pure core never imports: network clients and SDKs live here, behind typed seams."""
