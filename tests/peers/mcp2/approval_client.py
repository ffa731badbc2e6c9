"""The official Python MCP SDK 2.x (PyPI `mcp`, pinned in tests/peers/mcp2/requirements.lock) as
the client of a sampling loop whose tool needs the user's approval (protocol 2026-07-28).

    python approval_client.py http://127.0.0.1:PORT/mcp

Connects to the example `conformance_server` over streamable HTTP (`mode="auto"`: the SDK
negotiates 2026-07-28) and calls its tool `settle_order(order_id)`. The server's loop offers the
client's LLM a `refund` tool marked `#[sampling_tool(approval)]`. A scripted LLM answers the
sampling input requests (first turn: call `refund` with the order id of the prompt; next turn:
a text that quotes the tool result it read), and an elicitation callback answers the approval
form the server sends before the refund runs.

Scenarios, each on its own order, printed in one JSON report on the last line of stdout:
- `accept`, `decline`, `cancel`: `Client.call_tool`, whose SEP-2322 driver sends every input
  request of a round to the sampling or elicitation callback and retries on its own; the
  elicitation callback answers accept (`approve: true`), decline or cancel.
- `no_elicitation`: the same with a client that has no elicitation callback, so does not
  declare the `elicitation` capability.
- `manual`: `client.session.call_tool(..., allow_input_required=True)`, one retry per round by
  hand (the user accepts), recording which methods and keys each round asked for.
- `two`: by hand too, with an LLM that asks for two refunds at once (the order, and the order
  with `-bis`): the user approves the first and declines the second.
- `two_automatic`: the same through `Client.call_tool`, whose driver runs the elicitation
  callback for both forms of the round concurrently.

The Rust test tests/tests/peer_approval.rs asserts on the report and on the server's log (which
refunds ran); this script only records what it saw, except for checks of its own that go to
`failures`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import types
from mcp.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from peer_common import blocks, refunds_asked, run_scenarios, text_of_blocks, users_answer, what_the_llm_read  # noqa: E402

TOOL = "settle_order"
MODEL = "scripted-python"

failures: list[str] = []


class Scenario:
    """One loop: the scripted LLM, the user who answers the approval, and what both saw."""

    def __init__(self, answer: str, two: bool = False) -> None:
        self.answer = answer
        self.two = two
        self.requests: list[dict[str, Any]] = []
        self.elicitations: list[dict[str, Any]] = []

    def sample(self, key: str, params: types.CreateMessageRequestParams) -> types.CreateMessageResultWithTools:
        last = params.messages[-1]
        results = [block for block in blocks(last) if getattr(block, "type", None) == "tool_result"]
        prompt = text_of_blocks(blocks(params.messages[0]))
        self.requests.append(
            {
                "key": key,
                "first_text": prompt,
                "tools": [tool.name for tool in params.tools or []],
                "tool_results": [
                    {"text": text_of_blocks(block.content), "is_error": bool(block.is_error)} for block in results
                ],
            }
        )
        if not results:
            calls = [
                types.ToolUseContent(name="refund", id=f"call-refund-{n}", input={"order_id": order_id})
                for n, order_id in enumerate(refunds_asked(prompt, self.two, failures), 1)
            ]
            return types.CreateMessageResultWithTools(role="assistant", content=calls, model=MODEL, stop_reason="toolUse")
        reply = what_the_llm_read([(text_of_blocks(read.content), bool(read.is_error)) for read in results])
        return types.CreateMessageResultWithTools(
            role="assistant", content=[types.TextContent(type="text", text=reply)], model=MODEL, stop_reason="endTurn"
        )

    def elicit(self, key: str, params: types.ElicitRequestParams) -> types.ElicitResult:
        schema = getattr(params, "requested_schema", None)
        self.elicitations.append(
            {
                "key": key,
                "mode": getattr(params, "mode", None) or "form",
                "message": params.message,
                "fields": sorted((schema.get("properties") or {}) if isinstance(schema, dict) else []),
            }
        )
        answer = users_answer(self.answer, params.message)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"approve": True})
        return types.ElicitResult(action=answer)


def describe_result(result: types.CallToolResult) -> dict[str, Any]:
    return {
        "is_error": bool(result.is_error),
        "texts": [block.text for block in result.content if isinstance(block, types.TextContent)],
    }


def make_client(url: str, scenario: Scenario, elicitation_capability: bool = True) -> Client:
    # The SEP-2322 driver passes the input request's key as the context's request id.
    async def sampling(context: Any, params: types.CreateMessageRequestParams) -> Any:
        return scenario.sample(str(context.request_id), params)

    async def elicitation(context: Any, params: types.ElicitRequestParams) -> Any:
        return scenario.elicit(str(context.request_id), params)

    return Client(
        url,
        sampling_callback=sampling,
        # Without a callback the SDK does not declare the `elicitation` capability.
        elicitation_callback=elicitation if elicitation_capability else None,
        sampling_capabilities=types.SamplingCapability(tools=types.SamplingToolsCapability()),
    )


async def automatic(
    url: str, answer: str, order: str, elicitation_capability: bool = True, two: bool = False
) -> dict[str, Any]:
    scenario = Scenario(answer, two)
    async with make_client(url, scenario, elicitation_capability) as client:
        version = client.session.protocol_version
        result = await client.call_tool(TOOL, {"order_id": order})
    return {
        "protocol_version": version,
        "requests": scenario.requests,
        "elicitations": scenario.elicitations,
        "result": describe_result(result),
    }


async def manual(url: str, order: str, answer: str = "accept", two: bool = False) -> dict[str, Any]:
    scenario = Scenario(answer, two)
    rounds: list[dict[str, Any]] = []
    async with make_client(url, scenario) as client:
        responses: dict[str, Any] | None = None
        state: str | None = None
        for _ in range(10):
            result = await client.session.call_tool(
                TOOL, {"order_id": order}, input_responses=responses, request_state=state, allow_input_required=True
            )
            if not isinstance(result, types.InputRequiredResult):
                rounds.append({"result_type": "complete"})
                return {
                    "rounds": rounds,
                    "requests": scenario.requests,
                    "elicitations": scenario.elicitations,
                    "result": describe_result(result),
                }
            requests = result.input_requests or {}
            rounds.append(
                {
                    "result_type": "input_required",
                    "keys": sorted(requests),
                    "methods": sorted({request.method for request in requests.values()}),
                }
            )
            responses = {}
            for key, request in requests.items():
                if isinstance(request, types.ElicitRequest):
                    responses[key] = scenario.elicit(key, request.params)
                else:
                    responses[key] = scenario.sample(key, request.params)
            state = result.request_state
    failures.append("manual: no complete result after 10 rounds")
    return {"rounds": rounds, "requests": scenario.requests, "elicitations": scenario.elicitations, "result": None}


async def main(url: str) -> None:
    scenarios = [
        ("accept", lambda: automatic(url, "accept", "A-1")),
        ("decline", lambda: automatic(url, "decline", "D-2")),
        ("cancel", lambda: automatic(url, "cancel", "C-3")),
        ("no_elicitation", lambda: automatic(url, "accept", "N-5", elicitation_capability=False)),
        ("manual", lambda: manual(url, "M-4")),
        ("two", lambda: manual(url, "T-6", "split", two=True)),
        ("two_automatic", lambda: automatic(url, "split", "W-7", two=True)),
    ]
    await run_scenarios(scenarios, failures)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: approval_client.py SERVER_URL")
    anyio.run(main, sys.argv[1])
