"""An OpenAI-compatible chat-completions analyst (OpenAI, Ollama, vLLM, Gemini's compatible endpoint)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from salesos.integrations.base import ProviderError
from salesos.integrations.llm.base import Analysis, Finding, LLMProvider, fact_urls
from salesos.integrations.search.http import ProviderHTTP, RetryPolicy, UsageSink, json_body, shared_limiter

log = structlog.get_logger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
TIMEOUT_SECONDS = 60.0
# One process's analyses at a time per endpoint stay far below hosted limits and keep a local model usable.
REQUESTS_PER_SECOND = 2.0
SYSTEM_PROMPT = """You are a sales researcher. From the JSON facts about one local business, write:
- "summary": two sentences on who they are;
- "pain_points": problems with their web presence the facts show;
- "hooks": specific, positive details to open a conversation with.
Use only the facts given. Every pain point and hook is {"text": ..., "source_url": ...} where source_url is
copied exactly from the facts it rests on. Answer with one JSON object with exactly those three keys."""


class _FindingOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    source_url: str


class _AnalysisOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: str
    pain_points: list[_FindingOut]
    hooks: list[_FindingOut]


def _content(data: Any) -> str:
    try:
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ProviderError("The model's reply has no choices[0].message.content.", permanent=True) from exc
    if choice.get("finish_reason") == "length":
        raise ProviderError("The model's answer was cut off (finish_reason=length).", permanent=True)
    if not isinstance(content, str) or not content.strip():
        raise ProviderError("The model answered with empty content.", permanent=True)
    # Some servers wrap JSON-mode output in a Markdown fence anyway.
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    return text


def parse_analysis(data: Any, facts: dict[str, Any], provider: str) -> Analysis:
    """The Analysis in a chat-completions reply; findings citing a URL not in *facts* are dropped."""
    text = _content(data)
    try:
        parsed = _AnalysisOut.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ProviderError(
            f"The model's output is not the expected JSON: {where}: {first['msg']}", permanent=True
        ) from exc
    allowed = fact_urls(facts)

    def grounded(items: list[_FindingOut]) -> list[Finding]:
        kept = [
            Finding(i.text.strip(), i.source_url) for i in items if i.source_url in allowed and i.text.strip()
        ]
        if len(kept) < len(items):
            log.warning("llm_findings_dropped", provider=provider, dropped=len(items) - len(kept))
        return kept

    return Analysis(parsed.summary.strip(), grounded(parsed.pain_points), grounded(parsed.hooks), provider)


class OpenAICompatibleProvider(LLMProvider):
    """``POST {base_url}/chat/completions`` with a Bearer key and JSON response format."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str = "",
        model: str = DEFAULT_MODEL,
        cost_per_1k_tokens: Decimal | None = None,
        policy: RetryPolicy | None = None,
        on_usage: UsageSink | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.cost_per_1k_tokens = cost_per_1k_tokens
        # Local servers (Ollama, vLLM) often run without a key; then no Authorization header is sent.
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = ProviderHTTP(
            "openai_compat",
            kind="llm",
            client=httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False),
            policy=policy,
            on_usage=on_usage,
            headers=headers,
            limiter=shared_limiter(base_url, REQUESTS_PER_SECOND),
        )

    @classmethod
    def from_settings(cls, settings: Any, on_usage: UsageSink | None = None) -> OpenAICompatibleProvider:
        """The provider configured by SALESOS_LLM_* settings."""
        cost = settings.llm_cost_per_1k_tokens
        return cls(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            model=settings.llm_model,
            cost_per_1k_tokens=Decimal(str(cost)) if cost else None,
            policy=RetryPolicy.from_settings(settings),
            on_usage=on_usage,
        )

    def _measure(self, response: httpx.Response) -> tuple[int, Decimal | None]:
        try:
            tokens = int(response.json().get("usage", {}).get("total_tokens") or 0)
        except (ValueError, AttributeError, TypeError):
            tokens = 0
        cost = self.cost_per_1k_tokens * tokens / 1000 if self.cost_per_1k_tokens and tokens else None
        return max(tokens, 1), cost

    def analyse(self, facts: dict[str, Any]) -> Analysis:
        """Ask the model for the analysis in JSON mode; malformed output is a permanent ProviderError."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(facts, sort_keys=True, default=str)},
            ],
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }
        response = self.http.request(
            "POST", self.url, endpoint="chat/completions", measure=self._measure, json=body
        )
        try:
            return parse_analysis(json_body(response, self.name), facts, self.name)
        except ProviderError as exc:
            exc.provider = self.name
            raise
