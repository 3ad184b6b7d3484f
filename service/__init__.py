"""Adapters around the pure domain: HTTP API, web desk, persistence, PDF letters, CLI."""
