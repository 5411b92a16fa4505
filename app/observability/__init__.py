"""What an operator sees: Prometheus metrics, JSON logs carrying a request or job id, and
(OTEL_ENABLED) OpenTelemetry traces."""
