"""A loopback OpenAI-compatible /chat/completions endpoint: checks auth and request shape, answers JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.integrations.search.fake_http import FakeService, Reply, Request

API_KEY = "sk-test-789"


@dataclass
class FakeOpenAI(FakeService):
    # What the "model" says next: a dict is sent as JSON content, a str as is.
    answers: list[Any] = field(default_factory=list)
    finish_reason: str = "stop"

    def handle(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return (
                401,
                {},
                {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}},
            )
        if request.method != "POST" or request.path != "/v1/chat/completions":
            return 404, {}, {"error": {"message": "Unknown endpoint"}}
        body = request.json()
        roles = [m.get("role") for m in body.get("messages", [])]
        if not body.get("model") or roles != ["system", "user"]:
            return 400, {}, {"error": {"message": "model and system+user messages are required"}}
        if body.get("response_format") != {"type": "json_object"}:
            return 400, {}, {"error": {"message": "expected response_format json_object"}}
        json.loads(body["messages"][1]["content"])  # the facts travel as JSON
        answer = self.answers.pop(0) if self.answers else {"summary": "", "pain_points": [], "hooks": []}
        content = answer if isinstance(answer, str) else json.dumps(answer)
        return 200, {}, {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": self.finish_reason}],
            "usage": {"prompt_tokens": 300, "completion_tokens": 120, "total_tokens": 420},
        }  # fmt: skip
