"""Excel and CSV import and export (issue 11)."""
