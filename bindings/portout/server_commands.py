"""The cmdlets of the store's server: who signs in to it (API credentials for machines,
accounts for people) and what it delivers (webhooks, a tenant's e-mail contacts, and each
delivery with its attempts), each declared once; ``commands.CMDLETS`` lists them in their place."""

from __future__ import annotations

from portout import server_actions as do
from portout.cmdlet import Cmdlet, Parameter
from portout.command_parameters import PASS_THRU as _PASS_THRU

P = Parameter

ROLE_CHOICES = ("StoreAdmin", "TelephonyAdmin", "Carrier", "Auditor")
_ACCOUNT_ROLES = ("StoreAdmin", "TelephonyAdmin", "Auditor")
_EVENT_KINDS = ("PortOutRequest", "OrderApproved", "OrderDenied", "OrderConfirmed", "OrderFocChanged",
                "OrderCompleted", "OrderCancelled", "PinSet", "PinChanged", "PinCheckFailed", "PinLockedOut",
                "PortOutLocked", "PinUnlocked", "PortOutFrozen", "PortOutUnfrozen", "TenantAccountUpdated",
                "TenantStateRepaired", "StoreTampered", "TenantRemoved", "KeyRotated", "AuditCheckpoint", "*")
_USER_NAME_HELP = "The user name: 1 to 64 letters, digits, '.', '_', '-' or '@'."

SERVER_CMDLETS: tuple[Cmdlet, ...] = (
    Cmdlet(
        "New", "PortOutCredential",
        "Makes an API credential for the store's server, and prints its token once.",
        "Makes a credential a machine signs in to portout serve with: a bearer token sent as "
        "'Authorization: Bearer <token>'. The token is written to the output once and never "
        "again: the store keeps only a keyed hash of it. What the credential may do (its role, "
        "tenant scope and carrier) is under a MAC, so no database writer without the store's "
        "key can make or widen one. A Carrier credential names its carrier and the carrier's "
        "NPAC SPID: the orders it sends are that carrier's whatever their body says, and it sees "
        "only them. With -TokenFile the token is written to a new file of mode 0600 instead of "
        "the output.",
        (
            P("Name", "string", "Its name: 1 to 64 letters, digits, '.', '_', '-' or '@'.",
              mandatory=True, position=0),
            P("Role", "string", "Carrier, TelephonyAdmin, Auditor or StoreAdmin.", mandatory=True,
              choices=ROLE_CHOICES),
            P("TenantScope", "string", "The tenants it may act on (default: all).", multiple=True),
            P("CarrierName", "string", "A Carrier credential's carrier."),
            P("CarrierSpid", "string", "A Carrier credential's SPID: 4 letters or digits."),
            P("ExpiresAt", "datetime", "When it stops working (default: never)."),
            P("TokenFile", "string", "Write the token to this new file (mode 0600), not the output."),
        ),
        do.new_credential, output_type="IssuedCredential", impact="Medium",
        action="Make API credential", target="Name",
        examples=(
            ("New-PortOutCredential lumen-prod -Role Carrier -CarrierName Lumen -CarrierSpid 6529 "
             "-TokenFile ./lumen.token",
             "Makes a carrier's credential; its token goes to ./lumen.token."),
            ("New-PortOutCredential contoso-automation -Role TelephonyAdmin -TenantScope contoso.com",
             "Makes a credential for a tenant's own scripts."),
        ),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "Get", "PortOutCredential",
        "Lists the API credentials.",
        "Lists the credentials of the store's server, by name, with what each may do, when it "
        "expires and when it was last used (to the minute). Never a token.",
        (P("Name", "string", "Only this credential.", position=0),),
        do.get_credential, output_type="Principal", target="Name",
        examples=(("Get-PortOutCredential", "Lists every credential."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "Remove", "PortOutCredential",
        "Removes an API credential.",
        "Removes a credential: its token authenticates no one from the next request on. Asks "
        "first unless -Force or -Confirm:$false.",
        (P("Name", "string", "The credential.", mandatory=True, position=0, multiple=True,
           pipeline_by_property=True, pipeline_by_value=True),),
        do.remove_credential, impact="High", action="Remove API credential", target="Name",
        force=True,
        examples=(("Remove-PortOutCredential lumen-prod -Force", "Removes a credential."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "New", "PortOutAccount",
        "Makes an account a person signs in to the server with: a password, and TOTP if asked.",
        "Makes an account for a person (the admin center signs in with it). Its password must meet "
        "the rules of NIST SP 800-63B: at least 15 characters, or 8 for an account with -Totp; at "
        "most 128; any characters, spaces included; no composition rules; not one of the "
        "passwords people use most, not one piece repeated, not a run of the keyboard or the "
        "alphabet, and not containing the user name or the service's name. A broken rule is "
        "PasswordPolicyViolation, naming each. The store keeps an Argon2id hash of a keyed hash "
        "of the password: without the key file no one can guess at it. With -Totp the output "
        "holds the account's TOTP secret and an otpauth:// URI for an authenticator app, once "
        "(RFC 6238: SHA-1, 6 digits, 30 seconds); each code is good once. An account is "
        "StoreAdmin, TelephonyAdmin or Auditor; a carrier uses an API credential.",
        (
            P("UserName", "string", _USER_NAME_HELP, mandatory=True, position=0, aliases=("Name",)),
            P("Role", "string", "StoreAdmin, TelephonyAdmin or Auditor.", mandatory=True, choices=_ACCOUNT_ROLES),
            P("TenantScope", "string", "The tenants it may act on (default: all).", multiple=True),
            P("Totp", "switch", "Sign in with a TOTP code as well; the secret is in the output once."),
            P("ExpiresAt", "datetime", "When it stops working (default: never)."),
            P("Password", "secret", "The password.", mandatory=True, confirm_entry=True),
        ),
        do.new_account, output_type="IssuedAccount", impact="Medium", action="Make account", target="UserName",
        examples=(
            ("New-PortOutAccount megan -Role TelephonyAdmin -TenantScope contoso.com -Totp",
             "Asks for the password twice; prints the TOTP secret and URI once."),
            ("printf '%s\\n' \"$PASSWORD\" | portout New-PortOutAccount desk -Role StoreAdmin -PinFromStdin",
             "Reads the password from standard input."),
        ),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "Get", "PortOutAccount",
        "Lists the accounts.",
        "Lists the accounts of the store's server, by user name, with their role, scope, whether "
        "they use TOTP, when they expire and when they last signed in (to the minute). Never a "
        "password or a TOTP secret.",
        (P("UserName", "string", "Only this account.", position=0, aliases=("Name",)),),
        do.get_account, output_type="Principal", target="UserName",
        examples=(("Get-PortOutAccount", "Lists every account."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "Set", "PortOutAccount",
        "Gives an account a new password.",
        "Sets a new password for an account (the rules of New-PortOutAccount apply) and clears "
        "its count of failed sign-ins.",
        (
            P("UserName", "string", _USER_NAME_HELP, mandatory=True, position=0, aliases=("Name",),
              pipeline_by_property=True),
            P("Password", "secret", "The new password.", mandatory=True, confirm_entry=True),
            _PASS_THRU,
        ),
        do.set_account, output_type="Principal", impact="Medium", action="Set account password",
        target="UserName",
        examples=(("Set-PortOutAccount megan", "Asks for the new password twice."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "Remove", "PortOutAccount",
        "Removes an account.",
        "Removes an account: it signs in no one from then on. Asks first unless -Force or "
        "-Confirm:$false.",
        (P("UserName", "string", "The account.", mandatory=True, position=0, multiple=True, aliases=("Name",),
           pipeline_by_property=True, pipeline_by_value=True),),
        do.remove_account, impact="High", action="Remove account", target="UserName", force=True,
        examples=(("Remove-PortOutAccount megan -Force", "Removes an account."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    Cmdlet(
        "New", "PortOutWebhook",
        "Subscribes a URL to notifications: the server POSTs each one there, signed.",
        "The server (portout serve) POSTs each notification of the given kinds (or * for all) to "
        "the URL as JSON, at least once: from the outbox, with exponential backoff, parked after "
        "the server's --max-delivery-attempts (see Get-PortOutDelivery, Resume-PortOutDelivery). "
        "Each request carries 'Portout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "
        "\"<t>.<body>\">' under the webhook's secret, which the output shows once; a receiver "
        "checks it and that t is recent, and keeps the event's id to drop a repeat. A tenant "
        "admin's webhook is sent its tenants' notifications; a carrier's (made with its "
        "credential) its own orders' notices only. The URL is https (http only to a loopback "
        "address).",
        (
            P("Url", "string", "Where to POST: https://host/path.", mandatory=True, position=0),
            P("Event", "string", "The notification kinds, or * for every kind.", mandatory=True, multiple=True,
              aliases=("Events",), choices=_EVENT_KINDS),
            P("TenantScope", "string", "Only these tenants' notifications (default: the session's).",
              multiple=True),
        ),
        do.new_webhook, output_type="IssuedWebhook", impact="Medium", action="Make webhook", target="Url",
        examples=(
            ("New-PortOutWebhook https://noc.contoso.com/portout -Event PortOutRequest,PortOutLocked "
             "-TenantScope contoso.com", "A tenant's NOC is told of each request and lockout."),
            ("New-PortOutWebhook https://api.lumen.example/portout -Event *",
             "With a carrier's credential: its own orders' notices."),
        ),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier for its own orders.",
    ),
    Cmdlet(
        "Get", "PortOutSubscription",
        "Lists the webhooks and e-mail contacts notifications are delivered to.",
        "Lists the subscriptions this session may see: a carrier its own webhooks, a tenant admin "
        "its tenants'. Never a secret.",
        (P("Kind", "string", "Only Webhook or only Email.", position=0, choices=("Webhook", "Email")),),
        do.get_subscription, output_type="Subscription",
        examples=(("Get-PortOutSubscription -Kind Webhook", "Lists the webhooks."),),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier its own.",
    ),
    Cmdlet(
        "Remove", "PortOutSubscription",
        "Removes a webhook or an e-mail contact.",
        "Removes a subscription with its deliveries. Asks first unless -Force or -Confirm:$false.",
        (P("SubscriptionId", "string", "The subscription.", mandatory=True, position=0, multiple=True,
           aliases=("Identity",), pipeline_by_property=True, pipeline_by_value=True),),
        do.remove_subscription, impact="High", action="Remove subscription", target="SubscriptionId",
        force=True,
        examples=(("Get-PortOutSubscription Webhook | Remove-PortOutSubscription -Force", "Removes every webhook."),),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier its own.",
    ),
    Cmdlet(
        "Get", "PortOutDelivery",
        "Shows each delivery of a notification, with every attempt.",
        "Lists deliveries to the subscriptions this session may see, newest first: Pending (with "
        "when it is tried next), Delivered, or Parked after the server's attempts (its last "
        "error). Each carries its attempts: when, how long, the HTTP status or SMTP reply, the error.",
        (
            P("SubscriptionId", "string", "Only this subscription's.", position=0, pipeline_by_property=True),
            P("Status", "string", "Only Pending, Delivered or Parked ones.",
              choices=("Pending", "Delivered", "Parked")),
            P("First", "int", "At most this many (default 100)."),
        ),
        do.get_delivery, output_type="Delivery",
        examples=(("Get-PortOutDelivery -Status Parked", "What could not be delivered."),
                  ("(Get-PortOutDelivery -First 1).AttemptLog", "The attempts of the newest.")),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier its own.",
    ),
    Cmdlet(
        "Resume", "PortOutDelivery",
        "Sends a parked delivery once more.",
        "Puts a parked (or delivered) delivery back to be sent now; if it fails again it is parked again.",
        (P("DeliveryId", "int", "The delivery.", mandatory=True, position=0, multiple=True,
           pipeline_by_property=True, pipeline_by_value=True),),
        do.resume_delivery, output_type="Delivery", impact="Low", action="Resume delivery", target="DeliveryId",
        examples=(("Get-PortOutDelivery -Status Parked | Resume-PortOutDelivery", "Sends every parked one again."),),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier its own.",
    ),
    Cmdlet(
        "Start", "PortOutServer",
        "Serves a store over HTTPS: the carrier API, every cmdlet remotely, webhooks and e-mail.",
        "The cmdlet form of 'portout serve' (docs/server.md): runs in the foreground until SIGTERM or "
        "Ctrl+C, then lets requests in flight finish. Only the server holds the store's key file; "
        "carriers and admins sign in with API credentials. Listening beyond loopback needs -TlsCert "
        "and -TlsKey, or -BehindProxy. Each worker delivers the store's webhooks, and its e-mail "
        "through -Smtp. People sign in to the admin center at /admin/ with their accounts. Options not named here ('portout serve --help') take their defaults.",
        (
            P("Store", "string", "A SQLite path or a postgresql:// URI (default: $PORTOUT_STORE).", position=0),
            P("KeyFile", "string", "The store's key file (default: $PORTOUT_KEY_FILE, or <store>.key)."),
            P("Listen", "string", "HOST:PORT (default 127.0.0.1:8443)."),
            P("TlsCert", "string", "The certificate chain (PEM)."),
            P("TlsKey", "string", "The certificate's private key (PEM)."),
            P("BehindProxy", "switch", "A proxy in front terminates TLS."),
            P("Workers", "int", "Worker processes (default 1)."),
            P("RateLimit", "int", "Requests a second per credential (default 20; 0: none)."),
            P("Smtp", "string", "HOST:PORT of the SMTP relay for tenants' e-mail contacts."),
            P("SmtpFrom", "string", "The sender address of those e-mails."),
            P("MaxDeliveryAttempts", "int", "Attempts before a delivery is parked (default 8)."),
            P("AllowPrivateWebhooks", "switch", "Deliver webhooks to private and loopback addresses too."),
            P("SessionIdleTimeout", "int", "Minutes before an idle admin center session ends (default 15)."),
        ),
        do.start_server, needs_session=False,
        examples=(("Start-PortOutServer /srv/portout/store.db -Listen 0.0.0.0:8443 -TlsCert server.crt "
                   "-TlsKey server.key -Smtp mail.example.com:25",
                   "Serves the store until stopped."),),
        roles="Whoever holds the store's key file, on the server's machine.",
    ),
)
