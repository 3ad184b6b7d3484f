"""Who changed what across units: one row per administrative change, with its actor."""
