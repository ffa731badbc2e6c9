// The official TypeScript MCP client SDK 2.x (npm @modelcontextprotocol/client, pinned in
// package-lock.json beside this file) as the client of a sampling loop whose tool needs the
// user's approval (protocol 2026-07-28).
//
//     node approval_client.mjs http://127.0.0.1:PORT/mcp
//
// Connects to the example `conformance_server` over streamable HTTP (`versionNegotiation:
// {mode: 'auto'}`: the SDK negotiates 2026-07-28) and calls its tool `settle_order(order_id)`.
// The server's loop offers the client's LLM a `refund` tool marked `#[sampling_tool(approval)]`.
// A scripted LLM answers the sampling input requests (first turn: call `refund` with the order
// id of the prompt; next turn: a text that quotes the tool result it read), and an
// `elicitation/create` handler answers the approval form the server sends before the refund
// runs.
//
// Scenarios, each on its own order, printed as one JSON report on the last line of stdout:
// - `accept`, `decline`, `cancel`: `client.callTool`, whose driver sends every input request of
//   a round to the `sampling/createMessage` or `elicitation/create` handler and retries on its
//   own; the elicitation handler answers accept (`approve: true`), decline or cancel.
// - `no_elicitation`: the same with a client that declares no `elicitation` capability.
// - `manual`: `inputRequired: {autoFulfill: false}` and `callTool(..., {allowInputRequired:
//   true})`, one retry per round by hand (the user accepts), recording which methods and keys
//   each round asked for.
// - `two`: by hand too, with an LLM that asks for two refunds at once (the order, and the order
//   with `-bis`): the user approves the first and declines the second.
// - `two_automatic`: the same through `client.callTool`, whose driver hands both forms of the
//   round to the `elicitation/create` handler.
//
// tests/tests/peer_approval.rs asserts on the report and on the server's log (which refunds
// ran); this script only records what it saw, except for checks of its own that go to
// `failures`.

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { asList, runScenarios, textOf } from './peer.mjs';

const TOOL = 'settle_order';
const MODEL = 'scripted-typescript';

const failures = [];

/** One loop: the scripted LLM, the user who answers the approval, and what both saw. */
class Scenario {
  constructor(answer, two = false) {
    this.answer = answer;
    this.two = two;
    this.requests = [];
    this.elicitations = [];
  }

  sample(key, params) {
    const messages = params.messages ?? [];
    const last = messages[messages.length - 1];
    const results = asList(last?.content ?? []).filter((block) => block.type === 'tool_result');
    const prompt = textOf(messages[0]?.content);
    this.requests.push({
      key,
      first_text: prompt,
      tools: (params.tools ?? []).map((tool) => tool.name),
      tool_results: results.map((block) => ({ text: textOf(block.content), is_error: Boolean(block.isError) })),
    });
    if (results.length === 0) {
      const order = /Order (\S+) arrived/.exec(prompt);
      if (order === null) failures.push(`${key}: no order id in the prompt ${JSON.stringify(prompt)}`);
      const orders = [order?.[1] ?? '?'];
      if (this.two) orders.push(`${orders[0]}-bis`);
      const calls = orders.map((orderId, n) => ({
        type: 'tool_use',
        name: 'refund',
        id: `call-refund-${n + 1}`,
        input: { order_id: orderId },
      }));
      return { role: 'assistant', content: calls, model: MODEL, stopReason: 'toolUse' };
    }
    const reply = `LLM read: ${results
      .map((read) => `${textOf(read.content)} (error: ${Boolean(read.isError)})`)
      .join(' | ')}`;
    return { role: 'assistant', content: [{ type: 'text', text: reply }], model: MODEL, stopReason: 'endTurn' };
  }

  elicit(key, params) {
    this.elicitations.push({
      key,
      mode: params.mode ?? 'form',
      message: params.message,
      fields: Object.keys(params.requestedSchema?.properties ?? {}).sort(),
    });
    let answer = this.answer;
    if (answer === 'split') answer = params.message.includes('-bis') ? 'decline' : 'accept';
    if (answer === 'accept') return { action: 'accept', content: { approve: true } };
    return { action: answer };
  }
}

function describeResult(result) {
  return {
    is_error: Boolean(result.isError),
    texts: (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text),
  };
}

async function connect(url, scenario, autoFulfill, elicitationCapability = true) {
  const capabilities = { sampling: { tools: {} } };
  if (elicitationCapability) capabilities.elicitation = { form: {} };
  const client = new Client(
    { name: 'rmcp-sampling-ts-peer', version: '1.0.0' },
    {
      capabilities,
      versionNegotiation: { mode: 'auto' },
      inputRequired: { autoFulfill },
    },
  );
  let samplings = 0;
  client.setRequestHandler('sampling/createMessage', async (request) => {
    samplings += 1;
    return scenario.sample(`handler-sampling-${samplings}`, request.params);
  });
  if (elicitationCapability) {
    let elicitations = 0;
    client.setRequestHandler('elicitation/create', async (request) => {
      elicitations += 1;
      return scenario.elicit(`handler-elicitation-${elicitations}`, request.params);
    });
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function automatic(url, answer, order, elicitationCapability = true, two = false) {
  const scenario = new Scenario(answer, two);
  const client = await connect(url, scenario, true, elicitationCapability);
  try {
    const version = client.getNegotiatedProtocolVersion() ?? null;
    const result = await client.callTool({ name: TOOL, arguments: { order_id: order } });
    return {
      protocol_version: version,
      requests: scenario.requests,
      elicitations: scenario.elicitations,
      result: describeResult(result),
    };
  } finally {
    await client.close();
  }
}

async function manual(url, order, answer = 'accept', two = false) {
  const scenario = new Scenario(answer, two);
  const client = await connect(url, scenario, false);
  const rounds = [];
  try {
    let inputResponses;
    let requestState;
    for (let i = 0; i < 10; i += 1) {
      const params = { name: TOOL, arguments: { order_id: order } };
      if (inputResponses !== undefined) params.inputResponses = inputResponses;
      if (requestState !== undefined) params.requestState = requestState;
      const result = await client.callTool(params, { allowInputRequired: true });
      if (result.resultType !== 'input_required') {
        rounds.push({ result_type: 'complete' });
        return {
          rounds,
          requests: scenario.requests,
          elicitations: scenario.elicitations,
          result: describeResult(result),
        };
      }
      const requests = result.inputRequests ?? {};
      const keys = Object.keys(requests).sort();
      rounds.push({
        result_type: 'input_required',
        keys,
        methods: [...new Set(Object.values(requests).map((r) => r.method))].sort(),
      });
      inputResponses = Object.fromEntries(
        keys.map((key) => {
          const request = requests[key];
          const answer =
            request.method === 'elicitation/create'
              ? scenario.elicit(key, request.params)
              : scenario.sample(key, request.params);
          return [key, answer];
        }),
      );
      requestState = result.requestState;
    }
    failures.push('manual: no complete result after 10 rounds');
    return { rounds, requests: scenario.requests, elicitations: scenario.elicitations, result: null };
  } finally {
    await client.close();
  }
}

async function main() {
  const urls = process.argv.slice(2);
  if (urls.length !== 1) {
    console.error('usage: node approval_client.mjs SERVER_URL');
    process.exit(2);
  }
  const [url] = urls;
  const scenarios = [
    ['accept', () => automatic(url, 'accept', 'A-1')],
    ['decline', () => automatic(url, 'decline', 'D-2')],
    ['cancel', () => automatic(url, 'cancel', 'C-3')],
    ['no_elicitation', () => automatic(url, 'accept', 'N-5', false)],
    ['manual', () => manual(url, 'M-4')],
    ['two', () => manual(url, 'T-6', 'split', true)],
    ['two_automatic', () => automatic(url, 'split', 'W-7', true, true)],
  ];
  await runScenarios(scenarios, failures);
}

await main();
