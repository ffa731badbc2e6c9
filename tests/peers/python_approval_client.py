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

import json
import re
import sys
import traceback
from typing import Any

import anyio
from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client

TOOL = "settle_order"
MODEL = "scripted-python-1"

failures: list[str] = []


def blocks(message: types.SamplingMessage) -> list[Any]:
    return message.content if isinstance(message.content, list) else [message.content]


def text_of_blocks(items: list[Any]) -> str:
    return "".join(getattr(block, "text", "") for block in items)


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
            order = re.search(r"Order (\S+) arrived", prompt)
            if order is None:
                failures.append(f"no order id in the prompt {prompt!r}")
            orders = [order[1] if order else "?"]
            if self.two:
                orders.append(f"{orders[0]}-bis")
            calls = [
                types.ToolUseContent(type="tool_use", name="refund", id=f"call-refund-{n}", input={"order_id": order_id})
                for n, order_id in enumerate(orders, 1)
            ]
            return types.CreateMessageResultWithTools(role="assistant", content=calls, model=MODEL, stopReason="toolUse")
        reply = "LLM read: " + " | ".join(
            f"{text_of_blocks(read.content)} (error: {str(bool(read.isError)).lower()})" for read in results
        )
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
        answer = self.answer
        if answer == "split":
            answer = "decline" if "-bis" in params.message else "accept"
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
    report: dict[str, Any] = {"scenarios": {}, "failures": failures}
    scenarios = [
        ("accept", "accept", "A-1", False),
        ("decline", "decline", "D-2", False),
        ("cancel", "cancel", "C-3", False),
        ("no_elicitation", None, "N-5", False),
        ("two", "split", "T-6", True),
    ]
    for name, answer, order, two in scenarios:
        try:
            # A guard against a hung loop, not a timing check.
            with anyio.fail_after(120):
                report["scenarios"][name] = await run(url, answer, order, two)
        except BaseException as error:  # noqa: BLE001 - every failure goes into the report
            failures.append(f"{name}: {''.join(traceback.format_exception(error))}")
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python_approval_client.py SERVER_URL")
    anyio.run(main, sys.argv[1])
