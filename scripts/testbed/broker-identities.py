#!/usr/bin/python3
"""The broker's own identities in the test bed, with the narrowest rights each system allows
(docs/keycloak-notes.md, docs/keystone-notes.md, docs/kubernetes-notes.md: "The broker's own credentials").
Idempotent: what exists is checked and corrected, nothing else is touched. Secrets go to SECRETS_DIR only.

  broker-identities.py keycloak|keystone|kubernetes ...

Settings come from the environment (set by broker-identities.sh from lib.sh).
"""
import json
import os
import secrets
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

E = os.environ
CONTEXT = ssl.create_default_context(cafile=E["CA_FILE"])
SECRETS = E["SECRETS_DIR"]
CLOUDS = E["CLOUDS"].split()
BROKER = "fedbroker"

# Keycloak: client roles of each federation realm's management client in master ("<realm>-realm"),
# the master realm counterpart of a realm's own realm-management client. Nothing in master itself.
KEYCLOAK_REALM_ROLES = [
    "manage-realm",               # realm settings, user profile, authentication flows (implies view-realm)
    "manage-events",              # event settings, LOGOUT events for the poller (implies view-events)
    "manage-clients",             # fed-<P> clients and their secrets, client scopes, protocol mappers
    "manage-identity-providers",  # identity providers and their mappers
    "manage-users",               # mirrored groups, user lookup, ending sessions (implies view/query-users)
]

# Kubernetes: the broker's ClusterRole. `bind` lets it create bindings of these ClusterRoles without
# holding their permissions; any other role still needs RBAC escalation prevention's consent.
KUBE_BINDABLE_CLUSTER_ROLES = ["view", "edit"]
KUBE_NAMESPACE = "kube-system"
KUBE_TOKEN_SECONDS = 365 * 24 * 3600


def secret_file(name):
    path = os.path.join(SECRETS, name)
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        write_secret(name, secrets.token_hex(24))
    return open(path).read().strip()


def write_secret(name, value):
    path = os.path.join(SECRETS, name)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    os.replace(path + ".tmp", path)


def request(method, url, headers=None, body=None, form=None):
    """One HTTPS request to a test-bed server; returns (status, headers, parsed JSON body or None)."""
    headers = {"Accept": "application/json", **(headers or {})}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=CONTEXT, timeout=20) as response:
            raw = response.read()
            return response.status, response.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()[:300]


def call(method, url, token=None, body=None, form=None, ok404=False):
    """A Keycloak or Kubernetes call with a bearer token: the JSON answer, None for an allowed 404, else False."""
    status, _, answer = request(method, url, {"Authorization": "Bearer " + token} if token else None, body, form)
    if status < 300:
        return answer
    return None if ok404 and status == 404 else False


# --- Keycloak --------------------------------------------------------------------------------------
def keycloak():
    base = E["KEYCLOAK_URL"]
    admin = call("POST", f"{base}/realms/master/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": "admin-cli", "username": E["KEYCLOAK_ADMIN_USER"],
        "password": open(os.path.join(SECRETS, "keycloak-admin")).read().strip()})["access_token"]
    api = f"{base}/admin/realms/master"
    client_secret = secret_file("keycloak-broker-client-secret")
    wanted = {
        "clientId": BROKER, "name": "SCS Federation Broker", "enabled": True, "protocol": "openid-connect",
        "publicClient": False, "serviceAccountsEnabled": True, "standardFlowEnabled": False,
        "implicitFlowEnabled": False, "directAccessGrantsEnabled": False, "secret": client_secret,
        "description": "The broker's own identity: client credentials, realm management roles of the federation realms only.",
    }
    found = call("GET", f"{api}/clients?clientId={BROKER}", admin)
    if not found:
        call("POST", f"{api}/clients", admin, wanted)
        found = call("GET", f"{api}/clients?clientId={BROKER}", admin)
        print(f"keycloak: created client {BROKER} in master")
    client = found[0]
    if any(client.get(k) != v for k, v in wanted.items() if k != "secret") or \
            call("GET", f"{api}/clients/{client['id']}/client-secret", admin).get("value") != client_secret:
        call("PUT", f"{api}/clients/{client['id']}", admin, {**client, **wanted})
        print(f"keycloak: updated client {BROKER}")
    user = call("GET", f"{api}/clients/{client['id']}/service-account-user", admin)
    # Its realm roles in master: only the default roles (never admin, never create-realm).
    realm_roles = call("GET", f"{api}/users/{user['id']}/role-mappings/realm", admin) or []
    extra = [r for r in realm_roles if not r["name"].startswith("default-roles-")]
    if extra:
        call("DELETE", f"{api}/users/{user['id']}/role-mappings/realm", admin, extra)
        print(f"keycloak: removed master realm roles {[r['name'] for r in extra]} from {user['username']}")
    for cloud in CLOUDS:
        mgmt = call("GET", f"{api}/clients?clientId={cloud}-realm", admin)[0]
        roles = {r["name"]: r for r in call("GET", f"{api}/clients/{mgmt['id']}/roles", admin)}
        path = f"{api}/users/{user['id']}/role-mappings/clients/{mgmt['id']}"
        have = {r["name"] for r in call("GET", path, admin) or []}
        missing = [roles[n] for n in KEYCLOAK_REALM_ROLES if n not in have]
        surplus = [{"id": roles[n]["id"], "name": n} for n in have - set(KEYCLOAK_REALM_ROLES) if n in roles]
        if missing:
            call("POST", path, admin, missing)
        if surplus:
            call("DELETE", path, admin, surplus)
        if missing or surplus:
            print(f"keycloak: {user['username']} in {cloud}: +{[r['name'] for r in missing]} -{[r['name'] for r in surplus]}")
    print(f"keycloak: {user['username']} (client {BROKER}) holds {', '.join(KEYCLOAK_REALM_ROLES)} of {', '.join(CLOUDS)}")


# --- Keystone --------------------------------------------------------------------------------------
def keystone():
    for cloud in CLOUDS:
        url = E[f"KEYSTONE_URL_{cloud.replace('-', '_')}"] + "/v3"
        auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"},
            "password": open(os.path.join(SECRETS, f"keystone-admin-{cloud}")).read().strip()}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        status, headers, answer = request("POST", f"{url}/auth/tokens", body=auth)
        if status >= 300:
            raise SystemExit(f"keystone {cloud}: admin login: HTTP {status} {answer!r}")
        token = headers["X-Subject-Token"]

        def ks(method, path, body=None):
            return keystone_call(method, url + path, token, body)

        password = secret_file(f"keystone-broker-{cloud}")
        users = ks("GET", f"/users?name={BROKER}&domain_id=default")["users"]
        body = {"user": {"name": BROKER, "domain_id": "default", "enabled": True, "password": password,
                         "description": "SCS Federation Broker (its own identity)"}}
        if users:
            user = users[0]
            # A password change revokes the user's tokens: only when the stored one no longer works.
            if not user.get("enabled") or not keystone_password_works(url, password):
                ks("PATCH", f"/users/{user['id']}", {"user": {"enabled": True, "password": password}})
                print(f"keystone {cloud}: reset user {BROKER}")
        else:
            user = ks("POST", "/users", body)["user"]
            print(f"keystone {cloud}: created user {BROKER}")
        project = ks("GET", "/projects?name=admin&domain_id=default")["projects"][0]
        role = ks("GET", "/roles?name=admin")["roles"][0]
        ks("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{role['id']}")
        print(f"keystone {cloud}: {BROKER} holds admin on project admin (Keystone's default policy requires it)")


def keystone_password_works(url, password):
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": BROKER, "domain": {"id": "default"}, "password": password}}}}}
    return request("POST", f"{url}/auth/tokens", body=auth)[0] < 300


def keystone_call(method, url, token, body=None):
    status, _, answer = request(method, url, {"X-Auth-Token": token}, body)
    if status >= 300:
        raise SystemExit(f"{method} {url}: HTTP {status} {answer!r}")
    return answer


# --- Kubernetes ------------------------------------------------------------------------------------
def kube_cluster_role():
    rbac = "rbac.authorization.k8s.io"
    crud = ["get", "list", "watch", "create", "update", "patch", "delete"]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": BROKER, "labels": {"app.kubernetes.io/name": "scs-federation-broker"}},
        "rules": [
            {"apiGroups": [rbac], "resources": ["clusterroles", "clusterrolebindings", "roles", "rolebindings"], "verbs": crud},
            {"apiGroups": [rbac], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": KUBE_BINDABLE_CLUSTER_ROLES},
            {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "create"]},
            {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectaccessreviews"], "verbs": ["create"]},
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
        ],
    }


def kubernetes():
    for cloud in CLOUDS:
        api = E[f"KUBE_URL_{cloud.replace('-', '_')}"]
        admin = open(os.path.join(SECRETS, f"kubernetes-admin-token-{cloud}")).read().strip()
        sa = f"/api/v1/namespaces/{KUBE_NAMESPACE}/serviceaccounts"
        if call("GET", f"{api}{sa}/{BROKER}", admin, ok404=True) is None:
            call("POST", f"{api}{sa}", admin, {"metadata": {"name": BROKER}})
            print(f"kubernetes {cloud}: created ServiceAccount {KUBE_NAMESPACE}/{BROKER}")
        apply(api, admin, "/apis/rbac.authorization.k8s.io/v1/clusterroles", kube_cluster_role())
        apply(api, admin, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": BROKER, "labels": {"app.kubernetes.io/name": "scs-federation-broker"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": BROKER},
            "subjects": [{"kind": "ServiceAccount", "name": BROKER, "namespace": KUBE_NAMESPACE}]})
        name = f"kubernetes-broker-token-{cloud}"
        if not token_works(api, os.path.join(SECRETS, name), f"system:serviceaccount:{KUBE_NAMESPACE}:{BROKER}"):
            answer = call("POST", f"{api}{sa}/{BROKER}/token", admin, {
                "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"expirationSeconds": KUBE_TOKEN_SECONDS}})
            write_secret(name, answer["status"]["token"])
            print(f"kubernetes {cloud}: new token for {KUBE_NAMESPACE}/{BROKER} (secrets/{name})")
        print(f"kubernetes {cloud}: ServiceAccount {KUBE_NAMESPACE}/{BROKER} bound to ClusterRole {BROKER}")


def apply(api, token, collection, body):
    name = body["metadata"]["name"]
    have = call("GET", f"{api}{collection}/{name}", token, ok404=True)
    if have is None:
        call("POST", f"{api}{collection}", token, body)
    else:
        body = {**body, "metadata": {**body["metadata"], "resourceVersion": have["metadata"]["resourceVersion"]}}
        call("PUT", f"{api}{collection}/{name}", token, body)


def token_works(api, path, username):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False
    token = open(path).read().strip()
    answer = call("POST", f"{api}/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
                  {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    return bool(answer) and answer["status"]["userInfo"]["username"] == username


if __name__ == "__main__":
    steps = {"keycloak": keycloak, "keystone": keystone, "kubernetes": kubernetes}
    for arg in sys.argv[1:] or list(steps):
        if arg not in steps:
            raise SystemExit(f"unknown system {arg!r} (known: {', '.join(steps)})")
        steps[arg]()
