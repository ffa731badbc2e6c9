#!/usr/bin/env python3
"""The official Python MCP SDK 1.x (PyPI `mcp`, the venv of tests/peers/setup_python.sh) as the
client of a sampling loop whose tool needs the user's approval (protocol 2025-11-25).

    python python_approval_client.py http://127.0.0.1:PORT/mcp

Connects to the example `conformance_server` over streamable HTTP (the SDK's latest protocol,
2025-11-25: the server pushes its requests to the client within the session) and calls its tool
`settle_order(order_id)`. The server's loop offers the client's LLM a `refund` tool marked
`#[sampling_tool(approval)]`. The sampling callback is a scripted LLM (first turn: call `refund`
with the order id of the prompt; next turn: a text that quotes the tool result it read); the
elicitation callback answers the approval form the server pushes before the refund runs.

Scenarios, each on its own order and session, printed in one JSON report on the last line of
stdout:
- `accept`, `decline`, `cancel`: the elicitation callback answers accept (`approve: true`),
  decline or cancel;
- `no_elicitation`: a client without an elicitation callback (so without the `elicitation`
  capability): the server cannot ask, and by default the refund does not run.
- `two`: an LLM that asks for two refunds at once (the order, and the order with `-bis`): the
  server pushes both forms together; the user approves the first and declines the second.

The Rust test tests/tests/peer_approval.rs asserts on the report and on the server's log (which
refunds ran); this script only records what it saw, except for checks of its own that go to
`failures`.
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client
from peer_common import blocks, refunds_asked, run_scenarios, text_of_blocks, users_answer, what_the_llm_read

TOOL = "settle_order"
MODEL = "scripted-python-1"

failures: list[str] = []


class Scenario:
    """One loop: the scripted LLM, the user who answers the approval, and what both saw."""

    def __init__(self, answer: str | None, two: bool = False) -> None:
        self.answer = answer
        self.two = two
        self.requests: list[dict[str, Any]] = []
        self.elicitations: list[dict[str, Any]] = []

    async def sample(self, context: Any, params: types.CreateMessageRequestParams) -> Any:
        last = params.messages[-1]
        results = [block for block in blocks(last) if getattr(block, "type", None) == "tool_result"]
        prompt = text_of_blocks(blocks(params.messages[0]))
        self.requests.append(
            {
                "first_text": prompt,
                "tools": [tool.name for tool in params.tools or []],
                "tool_results": [
                    {"text": text_of_blocks(block.content), "is_error": bool(block.isError)} for block in results
                ],
            }
        )
        if not results:
            calls = [
                types.ToolUseContent(type="tool_use", name="refund", id=f"call-refund-{n}", input={"order_id": order_id})
                for n, order_id in enumerate(refunds_asked(prompt, self.two, failures), 1)
            ]
            return types.CreateMessageResultWithTools(role="assistant", content=calls, model=MODEL, stopReason="toolUse")
        reply = what_the_llm_read([(text_of_blocks(read.content), bool(read.isError)) for read in results])
        return types.CreateMessageResultWithTools(
            role="assistant", content=types.TextContent(type="text", text=reply), model=MODEL, stopReason="endTurn"
        )

    async def elicit(self, context: Any, params: types.ElicitRequestParams) -> Any:
        schema = getattr(params, "requestedSchema", None) or {}
        self.elicitations.append(
            {
                "mode": getattr(params, "mode", None) or "form",
                "message": params.message,
                "fields": sorted(schema.get("properties") or {}),
            }
        )
        answer = users_answer(self.answer or "accept", params.message)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"approve": True})
        return types.ElicitResult(action=answer)


async def run(url: str, answer: str | None, order: str, two: bool = False) -> dict[str, Any]:
    scenario = Scenario(answer, two)
    callbacks: dict[str, Any] = {"sampling_callback": scenario.sample}
    if answer is not None:
        callbacks["elicitation_callback"] = scenario.elicit
    async with streamable_http_client(url) as (read, write, _):
        async with ClientSession(
            read,
            write,
            sampling_capabilities=types.SamplingCapability(tools=types.SamplingToolsCapability()),
            **callbacks,
        ) as session:
            init = await session.initialize()
            result = await session.call_tool(TOOL, {"order_id": order})
    return {
        "protocol_version": init.protocolVersion,
        "requests": scenario.requests,
        "elicitations": scenario.elicitations,
        "result": {
            "is_error": bool(result.isError),
            "texts": [block.text for block in result.content if isinstance(block, types.TextContent)],
        },
    }


async def main(url: str) -> None:
    await run_scenarios(
        [
            ("accept", lambda: run(url, "accept", "A-1")),
            ("decline", lambda: run(url, "decline", "D-2")),
            ("cancel", lambda: run(url, "cancel", "C-3")),
            ("no_elicitation", lambda: run(url, None, "N-5")),
            ("two", lambda: run(url, "split", "T-6", two=True)),
        ],
        failures,
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python_approval_client.py SERVER_URL")
    anyio.run(main, sys.argv[1])
