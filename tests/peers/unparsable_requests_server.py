"""A stand-in MCP server on stdio (protocol 2025-11-25) that, when asked for its tools, first
sends the client three sampling requests no rmcp transport can parse (array params, a number out
of range, nesting deeper than 128 levels), waits for an answer to each, writes those answers to
the file named by its argument as one JSON object keyed by request id, and only then lists its
(no) tools. A client that drops such requests leaves it, and itself, waiting."""

import json
import sys

HELLO = '{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":10'
DEEP = "[" * 300 + "1" + "]" * 300
UNPARSABLE = {
    101: '[{"messages":[]}, 10]',
    102: HELLO + ',"temperature":1e400}',
    103: HELLO + ',"metadata":' + DEEP + "}",
}


def send(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def respond(request_id, result):
    send(json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result}))


def main():
    out = sys.argv[1]
    answers = {}
    tools_list = None
    for line in sys.stdin:
        message = json.loads(line)
        method = message.get("method")
        if method == "initialize":
            respond(message["id"], {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "unparsable-requests", "version": "0"},
            })
        elif method == "tools/list":
            tools_list = message["id"]
            for request_id, params in UNPARSABLE.items():
                send('{"jsonrpc":"2.0","id":%d,"method":"sampling/createMessage","params":%s}'
                     % (request_id, params))
        elif method is None and message.get("id") in UNPARSABLE:
            answers[message["id"]] = message
            if len(answers) == len(UNPARSABLE) and tools_list is not None:
                with open(out, "w") as f:
                    json.dump({str(k): v for k, v in answers.items()}, f)
                respond(tools_list, {"tools": []})
        elif method is not None and "id" in message:
            send(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                             "error": {"code": -32601, "message": "not here"}}))


main()
