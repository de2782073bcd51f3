"""A small Telegram Bot API client (aiohttp; no Rasa)."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Tuple

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org/bot"
MAX_RETRIES = 3  # further attempts after a 429, a 5xx or a network error
MAX_RETRY_AFTER = 60.0  # seconds; a longer wait is not honoured, the send is dropped
REQUEST_TIMEOUT = 30.0


@dataclass
class ApiReply:
    ok: bool
    result: Any = None
    status: int | None = None
    description: str = ""

    @property
    def bad_markup(self) -> bool:
        return self.status == 400 and "parse" in self.description.lower()


class BotApi:
    """A small Bot API client: JSON or multipart calls, retries on 429 (after
    `parameters.retry_after`), on 5xx and on network errors, a bounded number
    of times. Never raises: failures are logged with the method and the Bot
    API's error, never the message text."""

    def __init__(self, token: str, base: str = DEFAULT_API_BASE, max_retries: int = MAX_RETRIES) -> None:
        self.token, self.base, self.max_retries = token, base.rstrip("/"), max_retries
        self._session: aiohttp.ClientSession | None = None

    def url(self, method: str) -> str:
        return f"{self.base}{self.token}/{method}"

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def call(
        self,
        method: str,
        params: Dict[str, Any],
        files: Dict[str, Tuple[str, bytes, str]] | None = None,
        retries: int | None = None,
    ) -> ApiReply:
        """`files`: field -> (file name, bytes, content type), sent as multipart."""
        retries = self.max_retries if retries is None else retries
        for attempt in range(retries + 1):
            wait, status, description = 1.0 * 2**attempt, None, ""
            try:
                session = await self.session()
                async with session.post(self.url(method), **self._body(params, files)) as reply:
                    status = reply.status
                    answer = await reply.json(content_type=None)
                if not isinstance(answer, dict):
                    raise ValueError("the Bot API answered something other than a JSON object")
                if answer.get("ok"):
                    return ApiReply(True, answer.get("result"), status)
                status = int(answer.get("error_code") or status or 0)
                description = str(answer.get("description") or "")[:200]
                if status == 429:
                    wait = float((answer.get("parameters") or {}).get("retry_after") or 1)
                elif status < 500:
                    break  # a bad request stays bad
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network errors, timeouts, broken JSON
                description = type(error).__name__
            if attempt == retries or wait > MAX_RETRY_AFTER:
                break
            logger.info("Telegram %s failed (%s), retrying in %.1f s.", method, status or description, wait)
            await asyncio.sleep(wait)
        logger.warning("Telegram %s failed: %s %s", method, status, description)
        return ApiReply(False, None, status, description)

    def file_url(self, file_path: str) -> str:
        # Files live beside the methods: .../bot<token>/getFile -> .../file/bot<token>/<path>
        head, _, _ = self.base.rpartition("/bot")
        return f"{head}/file/bot{self.token}/{file_path}"

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        """A file sent to the bot (getFile, then the file itself), or None."""
        found = await self.call("getFile", {"file_id": file_id})
        file_path = (found.result or {}).get("file_path") if found.ok and isinstance(found.result, dict) else None
        if not file_path:
            return None
        try:
            session = await self.session()
            async with session.get(self.file_url(str(file_path))) as reply:
                if reply.status != 200:
                    logger.warning("Telegram file download failed: %s", reply.status)
                    return None
                data = await reply.content.read(max_bytes + 1)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("Telegram file download failed: %s", type(error).__name__)
            return None
        return data if len(data) <= max_bytes else None

    @staticmethod
    def _body(params: Dict[str, Any], files: Dict[str, Tuple[str, bytes, str]] | None) -> Dict[str, Any]:
        if not files:
            return {"json": params}
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        for key, (filename, content, content_type) in files.items():
            form.add_field(key, content, filename=filename, content_type=content_type)
        return {"data": form}
