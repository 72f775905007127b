"""Cases: one delinquency episode per account, opened, updated and closed from invoice facts."""
