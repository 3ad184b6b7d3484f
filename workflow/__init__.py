"""The disclosure-request domain (依申请公开): calendar, clock, state machine, replies, events.

Pure Python: no web, database or template code is imported here (DESIGN.md).
"""
