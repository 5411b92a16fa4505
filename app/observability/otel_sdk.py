"""Turning tracing on (OTEL_ENABLED=true): the OpenTelemetry SDK, exporting spans in batches
over OTLP/HTTP. The SDK and the exporter are the optional extra `memory-service[otel]`,
imported only here, only then.

The SDK reads the standard variables itself, from the process environment (not .env):
OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT), OTEL_EXPORTER_OTLP_HEADERS,
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*. Only the
service's name and version get our defaults, when the environment names none.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from app.observability import tracing

SERVICE_NAME = "memory-service"
INSTALL_HINT = ("install the tracing extra (pip install 'memory-service[otel]'), or unset "
                "OTEL_ENABLED")


class TracingUnavailable(RuntimeError):
    """OTEL_ENABLED=true, but the SDK or the OTLP exporter is not installed."""


def build_provider(exporter: Any = None) -> Any:
    """A tracer provider exporting in batches to `exporter` (default: OTLP over HTTP)."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise TracingUnavailable(f"OTEL_ENABLED=true but the OpenTelemetry SDK is not "
                                 f"installed ({exc.name or exc} is missing)") from exc
    detected = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    ours = {"service.name": SERVICE_NAME, "service.version": _version()}
    unset = {k: v for k, v in ours.items()
             if str(detected.attributes.get(k, "unknown_service")).startswith("unknown_service")}
    # shutdown_on_exit: the spans still in the batch are sent when the process exits
    provider = TracerProvider(resource=detected.merge(Resource(unset)))
    provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter()))
    return provider


def start_tracing() -> None:
    """Our spans from now on. The provider is not made the global one: FastAPI's native
    telemetry would then add a second server span per request, and the SDKs' own spans are
    outside what we keep free of user text."""
    tracing.install(build_provider())


def _version() -> str:
    try:
        return version(SERVICE_NAME)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
