"""Attachments (附件): content-addressed storage, type sniffing, streamed upload and scoped download."""
