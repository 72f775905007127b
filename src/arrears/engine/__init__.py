"""The engine: planner (cases -> outbox), dispatcher (outbox -> channels), inbox handling, worker loop."""
