#!/usr/bin/python3
"""Fill aggregated ClusterRoles (view, edit, admin, ...) of a test cluster with the rules of the roles
they select, as kube-controller-manager would; the test bed runs no controller-manager.
Usage: kube-aggregate-roles.py API_URL CA_FILE TOKEN_FILE"""
import json
import ssl
import sys
import urllib.request

api, ca_file, token_file = sys.argv[1:4]
context = ssl.create_default_context(cafile=ca_file)
token = open(token_file).read().strip()


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)


def selects(selector, role):
    labels = role["metadata"].get("labels") or {}
    match = selector.get("matchLabels") or {}
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


updated = 0
for _ in range(5):  # aggregated roles can select other aggregated roles: repeat until stable
    roles = call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles")["items"]
    changed = False
    for role in roles:
        selectors = (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        if not selectors:
            continue
        rules = {}
        for other in sorted(roles, key=lambda r: r["metadata"]["name"]):
            if other is not role and any(selects(s, other) for s in selectors):
                for rule in other.get("rules") or []:
                    rules[json.dumps(rule, sort_keys=True)] = rule
        current = {json.dumps(r, sort_keys=True) for r in role.get("rules") or []}
        if set(rules) <= current:
            continue
        role["rules"] = list(rules.values())
        call("PUT", "/apis/rbac.authorization.k8s.io/v1/clusterroles/" + role["metadata"]["name"], role)
        changed = True
        updated += 1
    if not changed:
        break
print(updated)
