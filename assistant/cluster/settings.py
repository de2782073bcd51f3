"""Production-mode settings: every connection from the environment, with
defaults for services running on this machine."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any, Dict, Mapping

# Rasa's SQL store runs its queries synchronously on the server's one event
# loop, so a server never uses more than one connection at a time (two while
# a stale one is replaced). A small pool per server keeps every replica well
# inside PostgreSQL's default 100 connections: servers x (pool + overflow).
DEFAULT_SQL_POOL_SIZE = 2
DEFAULT_SQL_MAX_OVERFLOW = 2


@dataclass(frozen=True)
class ClusterSettings:
    port: int = 8080
    rasa_servers: int = 2
    action_servers: int = 2
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "postgres"
    postgres_password: str = ""
    postgres_db: str = "assistant"
    sql_pool_size: int = DEFAULT_SQL_POOL_SIZE
    sql_max_overflow: int = DEFAULT_SQL_MAX_OVERFLOW
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 0
    redis_password: str = ""
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = "guest"
    rabbitmq_queue: str = "assistant_events"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> ClusterSettings:
        """Each field from its upper-case variable (CLUSTER_PORT for `port`)."""
        values: Dict[str, Any] = {}
        for spec in fields(cls):
            raw = environ.get(cls.variable(spec.name))
            if raw not in (None, ""):
                values[spec.name] = int(raw) if spec.type == "int" else raw
        return cls(**{**values, **overrides})

    @staticmethod
    def variable(name: str) -> str:
        return "CLUSTER_PORT" if name == "port" else name.upper()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def postgres(self, db: str | None = None) -> Dict[str, object]:
        """psycopg2.connect() arguments."""
        return {
            "host": self.postgres_host, "port": self.postgres_port, "user": self.postgres_user,
            "password": self.postgres_password or None, "dbname": db or self.postgres_db, "connect_timeout": 5,
        }

    def env(self) -> Dict[str, str]:
        """The variables deploy/endpoints.cluster.yml reads; SQL_POOL_SIZE and
        SQL_MAX_OVERFLOW are also Rasa's own names for the pool."""
        return {self.variable(spec.name): str(getattr(self, spec.name)) for spec in fields(self)}
