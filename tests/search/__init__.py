"""Search pitfalls of the plain AsyncPostgresStore, each shown on it and checked on ours."""
