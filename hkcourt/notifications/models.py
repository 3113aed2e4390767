"""Inbox, e-mail and the outbox arrive with the campaign issue."""
