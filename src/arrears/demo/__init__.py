"""The demo: a synthetic portfolio worked by the real engine on simulated time, with simulated customers."""
