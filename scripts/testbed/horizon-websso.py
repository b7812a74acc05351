# WebSSO of the test bed's Horizon: the dashboard offers the federation's login first (Keystone's
# identity provider `keycloak`, protocol `openid`, which the broker configures), and Keystone's own
# password login as a second choice.
WEBSSO_ENABLED = True
WEBSSO_CHOICES = (
    ("federation", "Federated login (partner clouds)"),
    ("credentials", "Keystone credentials"),
)
WEBSSO_IDP_MAPPING = {"federation": ("keycloak", "openid")}
WEBSSO_INITIAL_CHOICE = "federation"
