"""The proxy in front of the cluster: one nginx config for `make cluster`
and for the docker-compose deployment (deploy/nginx/nginx.conf is rendered
from here; a test keeps it in sync).

Routing: a conversation sticks to one Rasa server by a consistent hash of
its key, the `X-Conversation-Id` header (REST clients send their sender id),
else a `session_id` query argument (socket.io clients), else the client
address. When a server fails, its conversations hash to the survivors; the
shared lock store, not the routing, is what keeps a conversation's turns in
order, so a conversation that moves stays correct.

Retries: a request that could not reach a server, or whose server died
before answering, goes to the next one. For REST messages that is safe even
though they are POSTs: nginx sends the same `X-Request-Id` on every attempt,
and the channel stores it as the message id and answers a retried message
from what was stored (assistant/nlp/retried_turns.py). Other POSTs are not
retried once sent. A server that is slow is not retried at all: it may
still finish the turn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Sequence

DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "nginx.conf"

# What the access log records: no query string (socket.io session ids) and
# never a body, so no message text.
# Upstreams in brackets: after a retry they read "[a, b]". The request id is
# the message id a REST turn is stored with (random, no content).
_LOG_FORMAT = (
    "$time_iso8601 $request_method $uri $status $request_time upstream=[$upstream_addr] "
    "upstream_status=[$upstream_status] upstream_time=[$upstream_response_time] id=$request_id"
)


def _upstream(name: str, servers: Sequence[str], balance: str) -> str:
    lines = [f"    upstream {name} {{"]
    if balance:
        lines.append(f"        {balance};")
    # One failure takes a server out for 5 s; then one request probes it again.
    lines += [f"        server {server} max_fails=1 fail_timeout=5s;" for server in servers]
    lines += ["        keepalive 64;", "    }"]
    return "\n".join(lines)


def render(
    rasa: Sequence[str], actions: Sequence[str], listen: str, actions_listen: str, run_dir: Path | None = None
) -> str:
    """nginx.conf for these Rasa and action servers (host:port each).

    With `run_dir`, every file nginx writes (pid, logs, temp files) goes
    there, so it runs beside a system nginx without touching it; without it,
    the config is for a container (logs to stdout/stderr)."""
    if run_dir:
        files = (
            f"pid {run_dir}/nginx.pid;\nerror_log {run_dir}/error.log warn;\n",
            "".join(f"    {kind}_temp_path {run_dir}/tmp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"    access_log {run_dir}/access.log cluster;\n",
        )
    else:
        files = ("error_log /dev/stderr warn;\n", "    access_log /dev/stdout cluster;\n")
    return f"""# Rendered by assistant/cluster/nginx.py; do not edit by hand.
worker_processes 1;
worker_rlimit_nofile 8192;
{files[0]}
events {{
    worker_connections 4096;
}}

http {{
    log_format cluster '{_LOG_FORMAT}';
    # Requests and replies stay in memory, never in temp files (bodies are
    # buffered whole up to each server's client_max_body_size).
    proxy_max_temp_file_size 0;
{files[1]}
    map $http_x_conversation_id $conversation {{
        ""      $arg_session_id;
        default $http_x_conversation_id;
    }}
    map $conversation $route_key {{
        ""      $remote_addr;
        default $conversation;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      "";
    }}

{_upstream("rasa", rasa, "hash $route_key consistent")}

{_upstream("actions", actions, "")}

    server {{
        listen {listen};
        client_max_body_size 64k;
        client_body_buffer_size 64k;
        proxy_http_version 1.1;
        # Every header here and none in a location: a location with a
        # proxy_set_header of its own inherits none of these, and the REST
        # turn would lose the request id its retries are recognised by.
        proxy_set_header Host $http_host;
        proxy_set_header X-Request-Id $request_id;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        # Websockets get "upgrade"; any other request an empty Connection
        # header, which keeps the upstream connection alive.
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_connect_timeout 2s;
        proxy_read_timeout 60s;
        proxy_next_upstream error;
        proxy_next_upstream_tries 3;

        location = /webhooks/rest/webhook {{
            proxy_pass http://rasa;
            # Safe to resend: a retried message is answered, not run, twice.
            proxy_next_upstream error non_idempotent;
        }}

        location /socket.io/ {{
            proxy_pass http://rasa;
            proxy_read_timeout 1h;
        }}

        location / {{
            proxy_pass http://rasa;
        }}
    }}

    # Rasa servers call their actions here; actions only compute events from
    # the tracker they are sent, so a call is safe to resend.
    server {{
        listen {actions_listen};
        # An action call carries the domain and the current turn.
        client_max_body_size 4m;
        client_body_buffer_size 4m;
        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 2s;
            proxy_read_timeout 10s;
            proxy_next_upstream error timeout non_idempotent;
        }}
    }}
}}
"""


def compose_config(rasa_servers: int = 2, action_servers: int = 2) -> str:
    """The config of deploy/docker-compose.yml's proxy (services rasa-1...,
    actions-1...; port 8080 public, 8081 for the Rasa servers' action calls)."""
    return render(
        rasa=[f"rasa-{i + 1}:5005" for i in range(rasa_servers)],
        actions=[f"actions-{i + 1}:5055" for i in range(action_servers)],
        listen="8080",
        actions_listen="8081",
    )


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render deploy/nginx/nginx.conf for docker-compose.")
    parser.add_argument("--rasa-servers", type=int, default=2)
    parser.add_argument("--action-servers", type=int, default=2)
    args = parser.parse_args(argv)
    DEPLOY_CONFIG.write_text(compose_config(args.rasa_servers, args.action_servers))
    print(f"Wrote {DEPLOY_CONFIG.name} for {args.rasa_servers} Rasa and {args.action_servers} action servers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
