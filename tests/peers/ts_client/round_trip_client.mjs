// The official TypeScript MCP client SDK 2.x (npm @modelcontextprotocol/client, pinned in
// package-lock.json beside this file) as the client of our multi round-trip sampling loop
// (protocol 2026-07-28, SEP-2322).
//
//     node round_trip_client.mjs http://127.0.0.1:PORT/mcp
//     node round_trip_client.mjs URL_A URL_B     # two processes that share the sealing key
//
// Connects to the example `conformance_server` over streamable HTTP, negotiates the protocol
// (`versionNegotiation: {mode: 'auto'}`: `server/discover`), and calls its typed tool
// `add_and_report(a=2, b=3)`. Each LLM turn comes back as an `InputRequiredResult`; a scripted
// LLM answers it (first turn: call `add` with the two numbers; next turn: call `final_response`
// with the sum the tool returned).
//
// Scenarios, printed as one JSON report on the last line of stdout:
// - `automatic`: `client.callTool`, whose driver sends every input request to the
//   `sampling/createMessage` handler and retries on its own.
// - `manual`: `inputRequired: {autoFulfill: false}` and `callTool(..., {allowInputRequired: true})`,
//   one retry per round by hand, echoing `requestState` byte for byte.
// - `tampered`: a manual retry whose `requestState` has one character changed (expects -32602).
//
// With two URLs (two server processes sharing the key that seals `requestState`), only the
// `replicas` scenario runs: manual rounds that alternate between the two processes (round 1 on
// A, round 2 on B, round 3 on A), as behind a load balancer.
//
// tests/tests/sdk_round_trip.rs asserts on the report; this script only records what it saw,
// except for checks of its own that go to `failures`.

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { asList, runScenarios, textOf } from './peer.mjs';

const TOOL = 'add_and_report';
const ARGUMENTS = { a: 2, b: 3 };
const MODEL = 'scripted-typescript';

const failures = [];

/** Answers each sampling request like a model that uses the `add` tool, then reports. */
class ScriptedLlm {
  constructor() {
    this.requests = [];
  }

  answer(key, params) {
    const messages = params.messages ?? [];
    const last = messages[messages.length - 1];
    const results = asList(last?.content ?? []).filter((block) => block.type === 'tool_result');
    const toolUses = messages.flatMap((m) => asList(m.content)).filter((b) => b.type === 'tool_use');
    const prompt = textOf(messages[0]?.content);
    this.requests.push({
      key,
      messages: messages.length,
      roles: messages.map((m) => m.role),
      first_text: prompt,
      system_prompt: params.systemPrompt ?? null,
      max_tokens: params.maxTokens,
      tools: (params.tools ?? []).map((tool) => tool.name),
      tool_choice: params.toolChoice?.mode ?? null,
      tool_uses: toolUses.length,
      tool_results: results.map((block) => ({ text: textOf(block.content), is_error: Boolean(block.isError) })),
    });
    const n = this.requests.length;
    let call;
    if (results.length === 0) {
      const numbers = (prompt.match(/-?\d+/g) ?? []).map(Number);
      if (numbers.length !== 2) failures.push(`${key}: cannot find two numbers in the prompt ${JSON.stringify(prompt)}`);
      call = { type: 'tool_use', name: 'add', id: `call-add-${n}`, input: { a: numbers[0] ?? 0, b: numbers[1] ?? 0 } };
    } else {
      const value = Number.parseInt(textOf(results[0].content), 10);
      if (Number.isNaN(value)) failures.push(`${key}: the add tool returned ${JSON.stringify(results[0])}`);
      call = { type: 'tool_use', name: 'final_response', id: `call-final-${n}`, input: { value } };
    }
    return { role: 'assistant', content: [call], model: MODEL, stopReason: 'toolUse' };
  }
}

function describeResult(result) {
  return {
    is_error: Boolean(result.isError),
    texts: (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text),
    structured: result.structuredContent ?? null,
  };
}

async function connect(url, llm, autoFulfill) {
  const client = new Client(
    { name: 'rmcp-sampling-ts-peer', version: '1.0.0' },
    {
      capabilities: { sampling: { tools: {} } },
      versionNegotiation: { mode: 'auto' },
      inputRequired: { autoFulfill },
    },
  );
  let calls = 0;
  client.setRequestHandler('sampling/createMessage', async (request) => {
    calls += 1;
    return llm.answer(`handler-call-${calls}`, request.params);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function automatic(url) {
  const llm = new ScriptedLlm();
  const client = await connect(url, llm, true);
  try {
    const version = client.getNegotiatedProtocolVersion() ?? null;
    const result = await client.callTool({ name: TOOL, arguments: ARGUMENTS });
    return { protocol_version: version, requests: llm.requests, result: describeResult(result) };
  } finally {
    await client.close();
  }
}

/** Rounds by hand; with `replica`, every other round goes to that process instead. */
async function manual(url, replica) {
  const llm = new ScriptedLlm();
  const clients = [await connect(url, llm, false)];
  const rounds = [];
  try {
    if (replica !== undefined) clients.push(await connect(replica, llm, false));
    let inputResponses;
    let requestState;
    for (let i = 0; i < 10; i += 1) {
      const server = i % clients.length;
      const params = { name: TOOL, arguments: ARGUMENTS };
      if (inputResponses !== undefined) params.inputResponses = inputResponses;
      if (requestState !== undefined) params.requestState = requestState;
      const result = await clients[server].callTool(params, { allowInputRequired: true });
      if (result.resultType !== 'input_required') {
        rounds.push({ server, result_type: 'complete' });
        return { rounds, requests: llm.requests, result: describeResult(result) };
      }
      const requests = result.inputRequests ?? {};
      const keys = Object.keys(requests).sort();
      rounds.push({
        server,
        result_type: 'input_required',
        keys,
        methods: [...new Set(Object.values(requests).map((r) => r.method))].sort(),
        state_bytes: (result.requestState ?? '').length,
      });
      inputResponses = Object.fromEntries(keys.map((key) => [key, llm.answer(key, requests[key].params)]));
      requestState = result.requestState;
    }
    failures.push('manual: no complete result after 10 rounds');
    return { rounds, requests: llm.requests, result: null };
  } finally {
    for (const client of clients) await client.close();
  }
}

async function tampered(url) {
  const llm = new ScriptedLlm();
  const client = await connect(url, llm, false);
  try {
    const first = await client.callTool({ name: TOOL, arguments: ARGUMENTS }, { allowInputRequired: true });
    if (first.resultType !== 'input_required' || !first.requestState) {
      failures.push(`tampered: the first call did not ask for input: ${JSON.stringify(first)}`);
      return {};
    }
    const state = first.requestState;
    const middle = Math.floor(state.length / 2);
    const bad = state.slice(0, middle) + (state[middle] === 'A' ? 'B' : 'A') + state.slice(middle + 1);
    const requests = first.inputRequests ?? {};
    const inputResponses = Object.fromEntries(Object.keys(requests).map((k) => [k, llm.answer(k, requests[k].params)]));
    try {
      const result = await client.callTool(
        { name: TOOL, arguments: ARGUMENTS, inputResponses, requestState: bad },
        { allowInputRequired: true },
      );
      return { unexpected_result: result };
    } catch (error) {
      return { error: { code: error.code ?? null, message: String(error.message ?? error) } };
    }
  } finally {
    await client.close();
  }
}

async function main() {
  const urls = process.argv.slice(2);
  if (urls.length < 1 || urls.length > 2) {
    console.error('usage: node round_trip_client.mjs SERVER_URL [REPLICA_URL]');
    process.exit(2);
  }
  const [url, replica] = urls;
  const scenarios =
    replica === undefined
      ? [['automatic', () => automatic(url)], ['manual', () => manual(url)], ['tampered', () => tampered(url)]]
      : [['replicas', () => manual(url, replica)]];
  await runScenarios(scenarios, failures);
}

await main();
