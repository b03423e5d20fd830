"""Closed-form exact solutions used as initial data and as references in tests."""
