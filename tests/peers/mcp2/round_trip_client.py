"""The official Python MCP SDK 2.x (PyPI `mcp`, pinned in tests/peers/mcp2/requirements.lock) as
the client of our multi round-trip sampling loop (protocol 2026-07-28, SEP-2322).

    python round_trip_client.py http://127.0.0.1:PORT/mcp
    python round_trip_client.py URL_A URL_B     # two processes that share the sealing key

Connects to the example `conformance_server` over streamable HTTP, lets the SDK negotiate the
protocol (`mode="auto"`: `server/discover`), and calls its typed tool `add_and_report(a=2, b=3)`.
The server cannot send `sampling/createMessage` on 2026-07-28: each LLM turn comes back as an
`InputRequiredResult`, and the client answers it from a scripted LLM (first turn: call `add`
with the two numbers; next turn: call `final_response` with the sum the tool returned).

Scenarios, each printed in one JSON report on the last line of stdout:
- `automatic`: `Client.call_tool`, whose SEP-2322 driver sends every input request to the
  sampling callback and retries on its own.
- `manual`: `client.session.call_tool(..., allow_input_required=True)`, one retry per round by
  hand, echoing `requestState` byte for byte.
- `tampered`: a manual retry whose `requestState` has one character changed (expects -32602).

With two URLs (two server processes sharing the key that seals `requestState`), only the
`replicas` scenario runs: manual rounds that alternate between the two processes (round 1 on A,
round 2 on B, round 3 on A), as behind a load balancer.

The Rust test tests/tests/sdk_round_trip.rs asserts on the report; this script only records
what it saw, except for checks of its own that go to `failures`.
"""

from __future__ import annotations

import re
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
from mcp import types
from mcp.client import Client
from mcp.shared.exceptions import MCPError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from peer_common import blocks, run_scenarios, text_of_blocks  # noqa: E402

TOOL = "add_and_report"
ARGUMENTS = {"a": 2, "b": 3}
MODEL = "scripted-python"

failures: list[str] = []


class ScriptedLlm:
    """Answers each sampling request like a model that uses the `add` tool, then reports."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def answer(self, key: str, params: types.CreateMessageRequestParams) -> types.CreateMessageResultWithTools:
        last = params.messages[-1]
        results = [block for block in blocks(last) if getattr(block, "type", None) == "tool_result"]
        tool_uses = [
            block for message in params.messages for block in blocks(message) if getattr(block, "type", None) == "tool_use"
        ]
        self.requests.append(
            {
                "key": key,
                "messages": len(params.messages),
                "roles": [message.role for message in params.messages],
                "first_text": text_of_blocks(blocks(params.messages[0])),
                "system_prompt": params.system_prompt,
                "max_tokens": params.max_tokens,
                "tools": [tool.name for tool in params.tools or []],
                "tool_choice": params.tool_choice.mode if params.tool_choice else None,
                "tool_uses": len(tool_uses),
                "tool_results": [
                    {"text": text_of_blocks(block.content), "is_error": bool(block.is_error)} for block in results
                ],
            }
        )
        if not results:
            numbers = [int(n) for n in re.findall(r"-?\d+", text_of_blocks(blocks(params.messages[0])))]
            if len(numbers) != 2:
                failures.append(f"{key}: cannot find two numbers in the prompt {params.messages[0]!r}")
                numbers = [0, 0]
            call = types.ToolUseContent(name="add", id=f"call-add-{len(self.requests)}", input={"a": numbers[0], "b": numbers[1]})
        else:
            total = results[0]
            try:
                value = int(text_of_blocks(total.content))
            except ValueError:
                failures.append(f"{key}: the add tool returned {total!r}")
                value = -1
            call = types.ToolUseContent(name="final_response", id=f"call-final-{len(self.requests)}", input={"value": value})
        return types.CreateMessageResultWithTools(role="assistant", content=[call], model=MODEL, stop_reason="toolUse")


def describe_result(result: types.CallToolResult) -> dict[str, Any]:
    return {
        "is_error": result.is_error,
        "texts": [block.text for block in result.content if isinstance(block, types.TextContent)],
        "structured": result.structured_content,
    }


def make_client(url: str, llm: ScriptedLlm) -> Client:
    async def sampling(context: Any, params: types.CreateMessageRequestParams) -> Any:
        # The SEP-2322 driver passes the input request's key as the context's request id.
        return llm.answer(str(context.request_id), params)

    return Client(
        url,
        sampling_callback=sampling,
        sampling_capabilities=types.SamplingCapability(tools=types.SamplingToolsCapability()),
    )


async def automatic(url: str) -> dict[str, Any]:
    llm = ScriptedLlm()
    async with make_client(url, llm) as client:
        version = client.session.protocol_version
        result = await client.call_tool(TOOL, ARGUMENTS)
    return {"protocol_version": version, "requests": llm.requests, "result": describe_result(result)}


async def manual(url: str, replica: str | None = None) -> dict[str, Any]:
    """Rounds by hand; with `replica`, every other round goes to that process instead."""
    llm = ScriptedLlm()
    rounds: list[dict[str, Any]] = []
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(make_client(url, llm))]
        if replica is not None:
            clients.append(await stack.enter_async_context(make_client(replica, llm)))
        responses: dict[str, Any] | None = None
        state: str | None = None
        for n in range(10):
            server = n % len(clients)
            result = await clients[server].session.call_tool(
                TOOL, ARGUMENTS, input_responses=responses, request_state=state, allow_input_required=True
            )
            if not isinstance(result, types.InputRequiredResult):
                rounds.append({"server": server, "result_type": "complete"})
                return {"rounds": rounds, "requests": llm.requests, "result": describe_result(result)}
            requests = result.input_requests or {}
            rounds.append(
                {
                    "server": server,
                    "result_type": "input_required",
                    "keys": sorted(requests),
                    "methods": sorted({request.method for request in requests.values()}),
                    "state_bytes": len(result.request_state or ""),
                }
            )
            responses = {key: llm.answer(key, request.params) for key, request in requests.items()}
            state = result.request_state
    failures.append("manual: no complete result after 10 rounds")
    return {"rounds": rounds, "requests": llm.requests, "result": None}


async def tampered(url: str) -> dict[str, Any]:
    llm = ScriptedLlm()
    async with make_client(url, llm) as client:
        first = await client.session.call_tool(TOOL, ARGUMENTS, allow_input_required=True)
        if not isinstance(first, types.InputRequiredResult) or not first.request_state:
            failures.append(f"tampered: the first call did not ask for input: {first!r}")
            return {}
        state = first.request_state
        middle = len(state) // 2
        bad = state[:middle] + ("A" if state[middle] != "A" else "B") + state[middle + 1 :]
        responses = {key: llm.answer(key, request.params) for key, request in (first.input_requests or {}).items()}
        try:
            result = await client.session.call_tool(
                TOOL, ARGUMENTS, input_responses=responses, request_state=bad, allow_input_required=True
            )
        except MCPError as error:
            return {"error": {"code": error.code, "message": error.message}}
        return {"unexpected_result": result.model_dump(mode="json", by_alias=True)}


async def main(urls: list[str]) -> None:
    if len(urls) == 2:
        scenarios = [("replicas", lambda: manual(urls[0], urls[1]))]
    else:
        scenarios = [("automatic", lambda: automatic(urls[0])), ("manual", lambda: manual(urls[0])), ("tampered", lambda: tampered(urls[0]))]
    await run_scenarios(scenarios, failures)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: round_trip_client.py SERVER_URL [REPLICA_URL]")
    anyio.run(main, sys.argv[1:])
