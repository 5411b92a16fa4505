"""Webhooks: endpoints an admin registers, events from an outbox the database fills in the
changing transaction, signed deliveries retried by a worker in every replica."""
