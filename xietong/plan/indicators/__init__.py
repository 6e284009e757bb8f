"""The plan's indicators: computing them, their history (snapshots, reported and published
values), their projection to the target date, their pages, API and command."""
