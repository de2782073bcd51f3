"""deploy/ stays valid and in step with `make cluster`, checked offline:
the compose file against the Compose Specification's schema (vendored),
the Kubernetes manifests with kubernetes-validate (schemas in the package),
the nginx configs with `nginx -t`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Set

import jsonschema
import kubernetes_validate
import pytest
import yaml

from assistant.cluster import nginx
from assistant.cluster.launch import ENDPOINTS, Cluster, nginx_binary
from assistant.cluster.settings import ClusterSettings
from assistant.tools.servers import ROOT

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))


def compose() -> Dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def endpoint_variables() -> Set[str]:
    """Every variable the Rasa servers read: the cluster's endpoints and the channels."""
    files = (ROOT / ENDPOINTS, ROOT / "credentials.yml")
    return {name for path in files for name in re.findall(r"\$\{(\w+)\}", path.read_text())}


def test_compose_file_follows_the_compose_specification() -> None:
    schema = yaml.safe_load((DEPLOY / "schemas" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(compose())


def test_compose_runs_what_make_cluster_runs() -> None:
    services = compose()["services"]
    assert {"rasa-1", "rasa-2", "actions-1", "actions-2", "stats", "proxy", "postgres", "redis", "rabbitmq"} <= set(services)
    for name in ("rasa-1", "rasa-2"):
        assert ENDPOINTS in services[name]["command"]
        assert endpoint_variables() <= set(services[name]["environment"])


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.name for m in MANIFESTS])
def test_kubernetes_manifests_are_valid(manifest: Path) -> None:
    for resource in yaml.safe_load_all(manifest.read_text()):
        kubernetes_validate.validate(resource, "1.28.0", strict=True)


def k8s_resources(kind: str) -> List[Dict[str, Any]]:
    return [r for m in MANIFESTS for r in yaml.safe_load_all(m.read_text()) if r["kind"] == kind]


def test_kubernetes_pods_get_every_setting_the_endpoints_read() -> None:
    config = k8s_resources("ConfigMap")[0]["data"]
    # From the Secret made out of band.
    secrets = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD", "TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN", "TWILIO_AUTH_TOKEN"}
    assert endpoint_variables() <= set(config) | secrets
    rasa = next(d for d in k8s_resources("Deployment") if d["metadata"]["name"] == "rasa")
    assert ENDPOINTS in rasa["spec"]["template"]["spec"]["containers"][0]["args"]


def test_make_cluster_sets_every_variable_the_endpoints_read() -> None:
    cluster = Cluster(ClusterSettings(), Path("/nonexistent"))
    assert endpoint_variables() <= set(cluster.servers.env)


def test_compose_nginx_config_is_rendered_from_the_cluster_code() -> None:
    assert (DEPLOY / "nginx" / "nginx.conf").read_text() == nginx.compose_config(), (
        "run python -m assistant.cluster.nginx"
    )


def test_local_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    config = tmp_path / "nginx.conf"
    (tmp_path / "tmp").mkdir()
    config.write_text(nginx.render(["127.0.0.1:1"], ["127.0.0.1:2"], "127.0.0.1:3", "127.0.0.1:4", run_dir=tmp_path))
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_every_request_to_a_rasa_server_carries_the_proxys_headers() -> None:
    """nginx drops every proxy_set_header of the server block from a location
    that sets one of its own: the REST location once lost X-Request-Id that
    way, and with it the replay of a resent message."""
    config = nginx.render(rasa=["a:1", "b:2"], actions=["c:3"], listen="8080", actions_listen="8081")
    public = config[config.index("listen 8080;"):config.index("listen 8081;")]
    assert "proxy_set_header X-Request-Id $request_id;" in public
    locations = re.findall(r"location [^{]*\{([^}]*)\}", public)
    assert len(locations) == 3
    assert all("proxy_set_header" not in location for location in locations)
