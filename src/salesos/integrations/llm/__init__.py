"""LLM providers: the offline rules analyst (default) and any OpenAI-compatible chat endpoint."""

from typing import Any

from salesos.integrations.llm.base import Analysis, Finding, LLMProvider, fact_urls
from salesos.integrations.search.http import UsageSink

__all__ = ["Analysis", "Finding", "LLMProvider", "fact_urls", "get_llm_provider"]


def get_llm_provider(settings: Any, on_usage: UsageSink | None = None) -> LLMProvider:
    """The provider named by SALESOS_LLM_PROVIDER: "rules" (default, offline) or "openai"."""
    if settings.llm_provider == "openai":
        from salesos.integrations.llm.openai_compat import OpenAICompatibleProvider

        return OpenAICompatibleProvider.from_settings(settings, on_usage)
    from salesos.integrations.llm.rules import RulesLLMProvider

    return RulesLLMProvider()
