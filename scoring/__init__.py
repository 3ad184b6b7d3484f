"""The shared assessment (考核) engine: loads schemes, applies events, grades, explains. Pure Python."""
