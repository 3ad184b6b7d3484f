"""Calendar data files (TOML), shipped with the package."""
