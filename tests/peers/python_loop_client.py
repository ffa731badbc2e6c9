#!/usr/bin/env python3
"""Drives rmcp-sampling's example `bench_server` with the official Python MCP SDK client.

The client spawns the server over stdio and answers its `sampling/createMessage` requests with a
scripted LLM that returns `tool_use` blocks (as `CreateMessageResultWithTools`). It records what
each request carried (tools offered, tool_choice, the tool_result blocks and their is_error) and
what each tools/call returned, checks the protocol rules it can check itself, and prints ONE JSON
object on stdout:

    {"scenarios": {NAME: {"requests": [...], "result": {...}}, ...}, "failures": [...]}

`failures` lists every rule the script found broken; the Rust test
(`tests/tests/python_interop.rs`) asserts that it is empty and checks the recorded facts.

usage: python_loop_client.py SERVER_EXECUTABLE [ARGS...]
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

MODEL = "scripted-llm"
# A generous cap on the whole run, so a hung server fails the test instead of blocking it.
RUN_TIMEOUT_S = 120


def blocks(message: types.SamplingMessage) -> list[Any]:
    return message.content if isinstance(message.content, list) else [message.content]


def result_text(block: types.ToolResultContent) -> str | None:
    texts = [c.text for c in block.content if getattr(c, "type", None) == "text"]
    return "\n".join(texts) if texts else None


def tool_use(uid: str, name: str, args: dict[str, Any]) -> types.ToolUseContent:
    return types.ToolUseContent(type="tool_use", id=uid, name=name, input=args)


def uses(*calls: types.ToolUseContent) -> types.CreateMessageResultWithTools:
    return types.CreateMessageResultWithTools(
        role="assistant", content=list(calls), model=MODEL, stopReason="toolUse"
    )


def text(answer: str) -> types.CreateMessageResultWithTools:
    return types.CreateMessageResultWithTools(
        role="assistant",
        content=types.TextContent(type="text", text=answer),
        model=MODEL,
        stopReason="endTurn",
    )


class ScriptedLLM:
    """Answers by the first user message of the conversation; records every request."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.scenario = "none"
        self.log: dict[str, list[dict[str, Any]]] = {}
        self.next_id = 0

    def uid(self) -> str:
        self.next_id += 1
        return f"toolu_{self.next_id:08d}"

    def fail(self, message: str) -> None:
        self.failures.append(f"{self.scenario}: {message}")

    def record(self, params: types.CreateMessageRequestParams) -> dict[str, Any]:
        msgs = params.messages
        last_results = []
        if msgs and msgs[-1].role == "user":
            last_results = [
                {"tool_use_id": b.toolUseId, "text": result_text(b), "is_error": bool(b.isError)}
                for b in blocks(msgs[-1])
                if getattr(b, "type", None) == "tool_result"
            ]
        tools = params.tools or []
        return {
            "messages": len(msgs),
            "roles": [m.role for m in msgs],
            "first_text": getattr(blocks(msgs[0])[0], "text", None) if msgs else None,
            "max_tokens": params.maxTokens,
            "tools": [t.name for t in tools],
            # The schemas only once per conversation: they do not change between requests.
            "tool_schemas": {t.name: t.inputSchema for t in tools} if len(msgs) == 1 else None,
            "tool_choice": params.toolChoice.mode if params.toolChoice else None,
            "tool_results": last_results,
            "tool_results_total": sum(
                1 for m in msgs for b in blocks(m) if getattr(b, "type", None) == "tool_result"
            ),
        }

    def check_history(self, params: types.CreateMessageRequestParams) -> None:
        """The tool_result blocks of each user message answer the previous message's tool_use
        blocks, one for one, in the same order."""
        msgs = params.messages
        for i, message in enumerate(msgs):
            results = [b for b in blocks(message) if getattr(b, "type", None) == "tool_result"]
            if not results:
                continue
            if len(results) != len(blocks(message)):
                self.fail(f"message {i} mixes tool_result blocks with other content")
            calls = [b for b in blocks(msgs[i - 1]) if getattr(b, "type", None) == "tool_use"] if i else []
            if [r.toolUseId for r in results] != [c.id for c in calls]:
                self.fail(
                    f"message {i}: tool_result ids {[r.toolUseId for r in results]} "
                    f"!= tool_use ids {[c.id for c in calls]}"
                )

    async def __call__(
        self, context: Any, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResultWithTools | types.ErrorData:
        seen = self.record(params)
        self.log.setdefault(self.scenario, []).append(seen)
        try:
            self.check_history(params)
            return self.respond(params, seen)
        except Exception as error:  # the report must reach the Rust test whatever happens
            self.fail(f"scripted LLM crashed: {error!r}")
            return types.ErrorData(code=types.INTERNAL_ERROR, message=f"scripted LLM: {error}")

    def respond(
        self, params: types.CreateMessageRequestParams, seen: dict[str, Any]
    ) -> types.CreateMessageResultWithTools | types.ErrorData:
        first = seen["first_text"] or ""
        count = seen["tool_results_total"]
        if first.startswith("steps="):
            steps = int(first.removeprefix("steps="))
            if count < steps:
                return uses(tool_use(self.uid(), "add", {"a": count, "b": 1}))
            if "final_response" in seen["tools"]:
                return uses(tool_use(self.uid(), "final_response", {"label": "ok", "score": 0.5}))
            return text("done")
        if first.startswith("width="):
            width, sleep_ms = (int(part.split("=")[1]) for part in first.split())
            if count == 0:
                return uses(*(tool_use(self.uid(), "nap", {"ms": sleep_ms}) for _ in range(width)))
            return text("done")
        if first == "bad calls":
            # Step 1: a tool that was never offered. Step 2: bad arguments (a string for an
            # integer, a missing argument), an overflow the tool reports, and one good call.
            # Step 3: a text answer that shows the loop went on.
            step = (seen["messages"] - 1) // 2
            if step == 0:
                return uses(tool_use(self.uid(), "subtract", {"a": 5, "b": 3}))
            if step == 1:
                return uses(
                    tool_use(self.uid(), "add", {"a": "one", "b": 1}),
                    tool_use(self.uid(), "add", {"a": 1}),
                    tool_use(self.uid(), "add", {"a": 9223372036854775807, "b": 1}),
                    tool_use(self.uid(), "add", {"a": 2, "b": 3}),
                )
            return text("recovered")
        if first == "broken reply":
            # The client refuses to sample (a user declined): the MCP caller must learn why.
            return types.ErrorData(code=types.INVALID_REQUEST, message="the user declined")
        self.fail(f"no script for a conversation that starts with {first!r}")
        return types.ErrorData(code=types.INVALID_PARAMS, message="scripted LLM: no script")


def call_report(result: types.CallToolResult) -> dict[str, Any]:
    return {
        "is_error": bool(result.isError),
        "texts": [c.text for c in result.content if getattr(c, "type", None) == "text"],
        "structured": result.structuredContent,
    }


async def scenario(
    session: ClientSession, llm: ScriptedLLM, report: dict[str, Any], name: str,
    tool: str, arguments: dict[str, Any],
) -> None:
    llm.scenario = name
    try:
        result = call_report(await session.call_tool(tool, arguments))
    except Exception as error:  # a JSON-RPC error is a fact to report, not a crash
        result = {"jsonrpc_error": str(error)}
    report["scenarios"][name] = {"result": result, "requests": llm.log.get(name, [])}


async def run(server: list[str], report: dict[str, Any]) -> None:
    failures = report["failures"]
    params = StdioServerParameters(command=server[0], args=server[1:])

    # A client that advertises sampling.tools.
    llm = ScriptedLLM(failures)
    async with stdio_client(params) as (read, write):
        async with ClientSession(
            read,
            write,
            sampling_callback=llm,
            sampling_capabilities=types.SamplingCapability(tools=types.SamplingToolsCapability()),
        ) as session:
            init = await session.initialize()
            report["protocol_version"] = init.protocolVersion
            listed = await session.list_tools()
            report["tools"] = [t.name for t in listed.tools]
            await scenario(session, llm, report, "text_loop", "loop_text", {"steps": 3})
            await scenario(session, llm, report, "typed_loop", "loop_struct", {"steps": 2})
            await scenario(
                session, llm, report, "parallel", "loop_parallel", {"width": 4, "sleep_ms": 20}
            )
            await scenario(session, llm, report, "bad_calls", "ask_with_tools", {"prompt": "bad calls"})
            await scenario(
                session, llm, report, "client_error", "ask_with_tools", {"prompt": "broken reply"}
            )
            # An LLM that never stops calling tools: the loop must end at its cap with an error.
            await scenario(session, llm, report, "endless_llm", "loop_text", {"steps": 150})
            await scenario(session, llm, report, "bad_mcp_arguments", "loop_text", {"steps": "many"})

    # A client that samples but does not advertise sampling.tools.
    plain = ScriptedLLM(failures)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, sampling_callback=plain) as session:
            await session.initialize()
            await scenario(session, plain, report, "no_sampling_tools", "loop_text", {"steps": 1})

    # A client that does not sample at all.
    silent = ScriptedLLM(failures)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            await scenario(session, silent, report, "no_sampling", "loop_text", {"steps": 1})


async def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    report: dict[str, Any] = {"scenarios": {}, "failures": []}
    try:
        with anyio.fail_after(RUN_TIMEOUT_S):
            await run(sys.argv[1:], report)
    except BaseException as error:  # noqa: BLE001 - reported, then the exit code says it failed
        report["failures"].append(f"the client run failed: {error!r}")
        traceback.print_exc(file=sys.stderr)
    print(json.dumps(report))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
