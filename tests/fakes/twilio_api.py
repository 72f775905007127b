"""The Twilio fake now lives in `arrears.fakes.twilio` (shared with the demo); re-exported for the tests."""

from arrears.fakes.twilio import FakeTwilio, Recorded, fake_twilio

__all__ = ["FakeTwilio", "Recorded", "fake_twilio"]
