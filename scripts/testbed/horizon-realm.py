#!/usr/bin/python3
"""What a cloud's own realm needs for its Horizon (the cloud operator's part, not the broker's): its
`openstack` client, which Keystone's WebSSO logs users in with, accepts Horizon's URL as a redirect and
post-logout target, and calls mod_auth_openidc's back-channel logout at Keystone when a session ends, so
a logout anywhere also ends the WebSSO session there; a client `horizon` does the same for the OIDC
session of Horizon's own Apache. Idempotent.

  horizon-realm.py CLOUD=HORIZON_URL=KEYSTONE_URL ...

Settings (CA_FILE, SECRETS_DIR, KEYCLOAK_URL, KEYCLOAK_ADMIN_USER) come from the environment (horizon.sh).
"""
import importlib.util
import os
import sys

_spec = importlib.util.spec_from_file_location("identities", os.path.join(os.path.dirname(__file__), "broker-identities.py"))
identities = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(identities)
call, E = identities.call, identities.E


def register(cloud, horizon, keystone):
    base = E["KEYCLOAK_URL"]
    admin = call("POST", f"{base}/realms/master/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": "admin-cli", "username": E["KEYCLOAK_ADMIN_USER"],
        "password": open(os.path.join(E["SECRETS_DIR"], "keycloak-admin")).read().strip()})["access_token"]
    api = f"{base}/admin/realms/{cloud}"
    client = call("GET", f"{api}/clients?clientId=openstack", admin)[0]
    redirects = sorted(set(client.get("redirectUris", [])) | {f"{horizon}/*", f"{keystone}/*"})
    attributes = {**client.get("attributes", {}),
                  "post.logout.redirect.uris": "+",
                  "backchannel.logout.url": f"{keystone}/v3/auth/OS-FEDERATION/websso/openid/redirect?logout=backchannel",
                  "backchannel.logout.session.required": "true",
                  "backchannel.logout.revoke.offline.tokens": "false"}
    if redirects != sorted(client.get("redirectUris", [])) or attributes != client.get("attributes", {}):
        call("PUT", f"{api}/clients/{client['id']}", admin, {**client, "redirectUris": redirects, "attributes": attributes})
        print(f"horizon {cloud}: client openstack accepts {horizon} and calls Keystone's back-channel logout")
    # Horizon's own Apache session (mod_auth_openidc): a public client with PKCE whose back-channel
    # logout ends that session when her realm session ends.
    wanted = {"clientId": "horizon", "name": "Horizon (dashboard session)", "enabled": True, "protocol": "openid-connect",
              "publicClient": True, "standardFlowEnabled": True, "directAccessGrantsEnabled": False, "implicitFlowEnabled": False,
              "redirectUris": [f"{horizon}/*"], "webOrigins": [],
              "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+",
                             "backchannel.logout.url": f"{horizon}/oidc/redirect?logout=backchannel",
                             "backchannel.logout.session.required": "true", "backchannel.logout.revoke.offline.tokens": "false"}}
    found = call("GET", f"{api}/clients?clientId=horizon", admin)
    if not found:
        call("POST", f"{api}/clients", admin, wanted)
        print(f"horizon {cloud}: created client horizon")
    elif any(found[0].get(k) != v for k, v in wanted.items() if k != "attributes") or \
            any(found[0].get("attributes", {}).get(k) != v for k, v in wanted["attributes"].items()):
        call("PUT", f"{api}/clients/{found[0]['id']}", admin, {**found[0], **wanted, "attributes": {**found[0].get("attributes", {}), **wanted["attributes"]}})
        print(f"horizon {cloud}: updated client horizon")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        register(*arg.split("=", 2))
