"""Exchanges: programs, host offers, applications, matching runs, placements, coverage."""
