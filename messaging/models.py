"""Clinic schema: conversations and messages (see ARCHITECTURE.md)."""
