"""Memory tools for models: definitions and execution (HTTP tools door and MCP share it)."""
