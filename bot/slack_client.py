"""The Web API client: honours SLACK_API_URL and retries on 429 and server errors."""

from __future__ import annotations

from aiohttp import ClientSession, ClientTimeout
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

SLACK_API = "https://slack.com/api/"


def build_client(settings: Settings) -> AsyncWebClient:
    """Called with the event loop running: the client keeps one pooled HTTP session (without
    one, slack-sdk opens a session and a new connection for every call, ~20 per consult),
    closed by ``close_client``."""
    base_url = settings.slack_api_url or SLACK_API
    if not base_url.endswith("/"):
        base_url += "/"
    backoff = BackoffRetryIntervalCalculator(backoff_factor=settings.retry_backoff_seconds)
    timeout = int(max(1, settings.slack_timeout_seconds))
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=base_url,
        timeout=timeout,
        session=ClientSession(timeout=ClientTimeout(total=timeout)),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=settings.connection_retries, interval_calculator=backoff),
            AsyncRateLimitErrorRetryHandler(max_retry_count=settings.rate_limit_retries),
            AsyncServerErrorRetryHandler(max_retry_count=settings.server_error_retries, interval_calculator=backoff),
        ],
    )


async def close_client(client: AsyncWebClient) -> None:
    if client.session is not None and not client.session.closed:
        await client.session.close()
