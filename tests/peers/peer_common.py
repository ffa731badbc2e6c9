"""What the Python peer clients share, whichever major version of the MCP SDK runs them (it
imports no SDK): reading sampling messages, the approval scenarios' scripted LLM and user, and
running scenarios into the one JSON report each script prints.

The scripts in tests/peers/mcp2/ import it from the folder above theirs.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

# A guard against a hung scenario, not a timing check.
SCENARIO_GUARD_S = 120


def blocks(message: Any) -> list[Any]:
    """The content blocks of a sampling message (one block or a list)."""
    content = message.content
    return content if isinstance(content, list) else [content]


def text_of_blocks(items: list[Any]) -> str:
    return "".join(getattr(block, "text", "") for block in items)


def refunds_asked(prompt: str, two: bool, failures: list[str]) -> list[str]:
    """The orders the approval scenarios' LLM refunds on its first turn: the order of the prompt
    (`Order <id> arrived broken.`), and with `two` also `<id>-bis`."""
    order = re.search(r"Order (\S+) arrived", prompt)
    if order is None:
        failures.append(f"no order id in the prompt {prompt!r}")
    orders = [order[1] if order else "?"]
    if two:
        orders.append(f"{orders[0]}-bis")
    return orders


def what_the_llm_read(results: list[tuple[str, bool]]) -> str:
    """The approval scenarios' LLM's final text: each tool result it read (text, is_error)."""
    return "LLM read: " + " | ".join(f"{text} (error: {str(is_error).lower()})" for text, is_error in results)


def users_answer(policy: str, message: str) -> str:
    """The action the approval scenarios' user answers a form with: `policy`, or with `split`
    decline the forms about an order `-bis` and accept the others."""
    if policy == "split":
        return "decline" if "-bis" in message else "accept"
    return policy


async def run_scenarios(
    scenarios: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]], failures: list[str]
) -> None:
    """Runs each scenario in turn, each bounded by SCENARIO_GUARD_S, and prints the report
    `{"scenarios": {name: record}, "failures": [...]}` as the last line of stdout; a scenario
    that raises goes to `failures`."""
    report: dict[str, Any] = {"scenarios": {}, "failures": failures}
    for name, scenario in scenarios:
        try:
            with anyio.fail_after(SCENARIO_GUARD_S):
                report["scenarios"][name] = await scenario()
        except BaseException as error:  # noqa: BLE001 - every failure goes into the report
            failures.append(f"{name}: {''.join(traceback.format_exception(error))}")
    print(json.dumps(report), flush=True)
