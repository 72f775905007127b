"""The contact gate: whether a proposed contact may go out now, and if not, why or until when."""
