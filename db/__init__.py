"""SQLite storage through sqlite-utils: migrations, complaints, staff, question log."""
