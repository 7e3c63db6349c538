"""A local OpenAI-compatible chat-completions server for tests and benchmarks.

It answers on 127.0.0.1 with whatever each test queues: a streamed reply (optionally slow,
cut off, malformed or without a finish_reason), a JSON answer for structured calls, or an
HTTP error. Every request body is recorded so tests can check what a model would have seen.
"""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Reply:
    """One queued answer. Streamed requests take `stream` replies, the others `json` ones."""

    def __init__(
        self,
        text: str = "そうなんです……。",
        *,
        status: int = 200,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
        drop_after: int | None = None,
        malformed_after: int | None = None,
        finish: bool = True,
        content: str | None = None,
    ):
        self.text, self.status, self.delay, self.chunk_delay = text, status, delay, chunk_delay
        self.drop_after, self.malformed_after, self.finish = drop_after, malformed_after, finish
        self.content = content


class FakeOpenAI:
    def __init__(self):
        self.streams: deque[Reply] = deque()
        self.answers: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.streams_finished = 0
        self.default_changes: dict | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def stream(self, *replies: Reply):
        self.streams.extend(replies)

    def answer(self, *replies: Reply):
        self.answers.extend(replies)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if body.get("stream"):
                    reply = fake.streams.popleft() if fake.streams else Reply()
                else:
                    reply = fake.answers.popleft() if fake.answers else None
                    if reply is None:
                        reply = Reply(content=json.dumps(fake._changes(body)))
                time.sleep(reply.delay)
                if reply.status != 200:
                    return self._send_json(reply.status, {"error": {"message": "fake error"}})
                if body.get("stream"):
                    return self._stream(body, reply)
                return self._send_json(200, _completion(body, reply.content))

            def _send_json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, reply: Reply):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [reply.text[i : i + 4] for i in range(0, len(reply.text), 4)]
                for n, piece in enumerate(pieces):
                    if reply.drop_after is not None and n >= reply.drop_after:
                        self.close_connection = True
                        return
                    if reply.malformed_after is not None and n >= reply.malformed_after:
                        self.wfile.write(b'data: {"choices": [{"delta": {"content": "\n\n')
                        self.wfile.flush()
                        return
                    self._event(_chunk(body, {"content": piece}, None))
                    time.sleep(reply.chunk_delay)
                self._event(_chunk(body, {}, "stop" if reply.finish else None))
                usage = {"prompt_tokens": 120, "completion_tokens": len(reply.text)}
                self._event({**_chunk(body, {}, None), "choices": [], "usage": usage})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                fake.streams_finished += 1
                self.close_connection = True

            def _event(self, payload):
                self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
                self.wfile.flush()

        return Handler

    def _changes(self, body) -> dict:
        """Zero change for every variable the schema asks for, unless a test set others."""
        schema = body["response_format"]["json_schema"]["schema"]
        keys = [k for k in schema["properties"] if k != "reason"]
        changes = {k: 0 for k in keys} | (self.default_changes or {})
        return {**changes, "reason": "変化なし"}


def _chunk(body, delta, finish):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(body, content):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 80, "completion_tokens": 20},
    }
