"""Read projections kept next to the event log so pages and reports do not scan it.

- ``listeners``: on every flush of a request row, its list sort key (``due_key``), ``is_open`` and the
  per-unit status counts (``request_status_count``); on its ``registered`` event, the search index.
- ``search``: Chinese text search (bigrams in SQLite FTS5 / a PostgreSQL ``tsvector`` with GIN).
- ``report``: the per-request annual-report facts (``report_fact``, ``report_review``), written in the
  same transaction as the events that change them.
- ``rebuild``: recompute all of them from the request rows and events (``ogi report rebuild``).
"""
