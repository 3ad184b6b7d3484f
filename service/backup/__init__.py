"""`ogi backup` / `ogi restore`: the database and the data directories in one archive."""
