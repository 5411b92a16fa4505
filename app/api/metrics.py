"""GET /metrics: Prometheus text format. No API key (scrapers rarely hold one), so it shows
nothing tenant-specific; METRICS_ENABLED=false answers 404 instead."""

from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder

from app.errors import NotFound

router = APIRouter(tags=["health"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}},
                       404: {"description": "METRICS_ENABLED is false"}})
async def metrics(request: Request) -> Response:
    if not request.app.state.settings.metrics_enabled:
        raise NotFound("metrics are turned off (METRICS_ENABLED=false)")
    # The format the scraper asks for (OpenMetrics, text 1.0.0), else text 0.0.4, as
    # prometheus_client's own exporter does.
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(REGISTRY), headers={"content-type": content_type})
