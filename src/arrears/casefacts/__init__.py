"""What the pure decisions know about a case: loaded from the store in a few set queries per batch, shaped
into the strategy's view, and the destinations a contact may use. Read by the planner, the dispatcher, the
conversation service and the payment handler alike; it writes nothing."""
