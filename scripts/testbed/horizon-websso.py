# WebSSO of the test bed's Horizon (placeholders filled by horizon.sh): Horizon sends everyone straight
# to the federated login (Keystone's WebSSO route, protocol `openid`). Its Sign Out goes to the realm's
# end of session (RP-initiated logout, confirmed by her): the realm records the LOGOUT, which the broker
# takes to every other realm and Keystone, and calls mod_auth_openidc's back-channel logout at Keystone,
# which ends the WebSSO session there. (mod_auth_openidc's own logout would revoke her refresh token
# first, which ends the realm session without a LOGOUT event: a logout nobody else would hear of.)
WEBSSO_ENABLED = True
WEBSSO_CHOICES = (
    ("openid", "Federated login (partner clouds)"),
    ("credentials", "Keystone credentials"),
)
WEBSSO_INITIAL_CHOICE = "openid"
WEBSSO_DEFAULT_REDIRECT = True
WEBSSO_DEFAULT_REDIRECT_PROTOCOL = "openid"
WEBSSO_DEFAULT_REDIRECT_REGION = "@KEYSTONE@/v3"
WEBSSO_DEFAULT_REDIRECT_LOGOUT = "@ISSUER@/protocol/openid-connect/logout?client_id=openstack&post_logout_redirect_uri=@HORIZON_ENCODED@%2Fauth%2Flogin%2F"
