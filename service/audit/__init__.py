"""Tamper evidence: the audit key, the deployment-wide keyed ledger, checkpoints and `ogi audit verify`."""
