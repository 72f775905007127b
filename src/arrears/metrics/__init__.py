"""Recovery metrics computed from recorded facts only."""
