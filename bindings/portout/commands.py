"""The cmdlets of portout, each declared once.

Everything else (the Python functions, ``portout.cmdlets``, the command line, ``portout help``
and ``docs/cmdlets.md``) is made from these declarations. What each cmdlet does is the function
of ``actions.py`` its declaration names (``do.set_pin``). The cmdlets of numbers, orders, the
freeze and notifications are declared in ``order_commands.py``, in their place in this list.
"""

from __future__ import annotations

from portout import actions as do
from portout.cmdlet import Cmdlet, Parameter
from portout.command_parameters import PASS_THRU as _PASS_THRU, identity as _identity
from portout.order_commands import ORDER_CMDLETS
from portout.server_commands import ROLE_CHOICES as _ROLE_CHOICES, SERVER_CMDLETS

P = Parameter
_PROFILE_CHOICES = ("interactive", "owasp", "moderate", "sensitive", "test")

CMDLETS: tuple[Cmdlet, ...] = (
    Cmdlet(
        "Connect", "PortOutStore",
        "Opens a store as one actor and role, and makes it the default session.",
        "Opens a store (-Create: creates it when it is not there) and returns a session that "
        "later cmdlets use: a SQLite file "
        "(-Path), or PostgreSQL for many hosts (-ConnectionString). Without either the store is "
        "$PORTOUT_STORE (a path or a postgresql:// URI), else $XDG_DATA_HOME/portout/store.db; "
        "without -KeyFile the key is $PORTOUT_KEY_FILE, else <store>.key beside a SQLite store "
        "(a PostgreSQL store needs it named). A new store gets a new key file (mode 0600); an "
        "existing store never does. "
        "Who the actor is, is the deployment's to establish: anyone who can read the store and "
        "key files can connect with any role.",
        (
            P("Path", "string", "The SQLite store file.", position=0),
            P("ConnectionString", "string", "A PostgreSQL store: postgresql://user@host:port/db "
              "(options=-csearch_path=NAME for a schema of its own). Not with -Path."),
            P("KeyFile", "string", "The store's key file, kept outside the database."),
            P("Actor", "string", "Who acts, as the audit log will name them (default: the OS user)."),
            P("Role", "string", "StoreAdmin (default), TelephonyAdmin, Carrier or Auditor.",
              choices=_ROLE_CHOICES),
            P("TenantScope", "string", "The tenants this session may act on (default: all).",
              multiple=True),
            P("HashProfile", "string", "The Argon2id cost profile (default: the store's own).",
              choices=_PROFILE_CHOICES),
            P("AllowTestProfile", "switch", "Allow the test profile: for test suites only."),
            P("Create", "switch", "Create the store (and its key file) when it does not exist; "
              "without it, a store that is not there is StoreNotFound."),
            P("Server", "string", "A store behind portout serve: https://host:8443. The cmdlets "
              "then run on the server, as the principal of the token (-TokenFile, else "
              "$PORTOUT_TOKEN); -Path, -KeyFile, -Actor, -Role and -TenantScope do not apply."),
            P("TokenFile", "string", "With -Server: the file holding the API token (mode 0600)."),
            P("CaFile", "string", "With -Server: the CA certificate(s) to trust for the server "
              "(default: $PORTOUT_CA_FILE, else the system's)."),
        ),
        do.connect, output_type="PortOutSession", needs_session=False,
        examples=(
            ("Connect-PortOutStore -Path ./contoso.db -Create -Actor admin@contoso.com",
             "Opens ./contoso.db (created with ./contoso.db.key if new) as a StoreAdmin."),
            ("Connect-PortOutStore -Role TelephonyAdmin -TenantScope contoso.com,contoso.net",
             "Opens the default store for a telephony admin of two tenants."),
            ("Connect-PortOutStore -ConnectionString postgresql://portout@db.example/portout "
             "-KeyFile /etc/portout/store.key",
             "Opens a shared PostgreSQL store; every host uses the same key file."),
            ("Connect-PortOutStore -Server https://portout.example:8443 -TokenFile ~/.portout/token",
             "Connects to a server: every cmdlet after it runs there, as the token's principal."),
        ),
        roles="Anyone who can read the store and key files.",
    ),
    Cmdlet(
        "Disconnect", "PortOutStore",
        "Closes the default session.",
        "Closes the session Connect-PortOutStore made; later cmdlets need a new connection. "
        "Without a session it does nothing.",
        (), do.disconnect, needs_session=False,
        examples=(("Disconnect-PortOutStore", "Closes the current session."),),
        roles="Any.",
    ),
    Cmdlet(
        "New", "PortOutTenant",
        "Creates a tenant.",
        "Creates a tenant with its display name and country. The port-out PIN exists only for "
        "tenants in the United States (US); others can be kept, but get no PIN. From the command "
        "line it is the one cmdlet that creates the store (and its key file) when there is none.",
        (
            P("Identity", "string", "The new tenant's id: a GUID or a domain-like name.",
              mandatory=True, position=0, pipeline_by_property=True, aliases=("TenantId",)),
            P("DisplayName", "string", "The tenant's name, 1 to 256 characters.", mandatory=True,
              position=1, pipeline_by_property=True),
            P("CountryOrRegion", "string", "ISO 3166-1 alpha-2 code (default US).", position=2,
              pipeline_by_property=True),
        ),
        do.new_tenant, output_type="Tenant", impact="Low", action="Create tenant",
        target="Identity", creates_store=True,
        examples=(("New-PortOutTenant -Identity contoso.com -DisplayName Contoso -CountryOrRegion US",
                   "Creates the US tenant contoso.com."),
                  ("portout New-PortOutTenant -InputFile tenants.csv",
                   "Creates one tenant per row of a CSV file with Identity, DisplayName and "
                   "CountryOrRegion columns."),),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Get", "PortOutTenant",
        "Gets tenants.",
        "Gets the named tenants, or every tenant the session may see, ordered by id.",
        (_identity(mandatory=False),),
        do.get_tenant, output_type="Tenant", target="Identity",
        examples=(("Get-PortOutTenant", "Lists every tenant in scope."),
                  ("Get-PortOutTenant -Identity contoso.com", "Gets one tenant.")),
        roles="StoreAdmin; TelephonyAdmin and Auditor within their scope.",
    ),
    Cmdlet(
        "Set", "PortOutTenant",
        "Renames a tenant, changes its country, or its port-out account details.",
        "Changes a tenant's display name or country (StoreAdmin), or the details a port-out "
        "request is matched against once its PIN is right (the tenant's admins too): the "
        "billing account number (or -NewAccountNumber for a new one drawn), the service "
        "address's ZIP code, the name of who may authorize a port (\"\" for the display name), "
        "and the time zone business days are counted in (\"\" for America/New_York); and its "
        "e-mail contacts. A change that changes nothing records nothing.",
        (
            _identity(),
            P("DisplayName", "string", "The new display name.", pipeline_by_property=True),
            P("CountryOrRegion", "string", "The new ISO 3166-1 alpha-2 code.",
              pipeline_by_property=True),
            P("AccountNumber", "string", "The billing account number: 4 to 20 letters and digits."),
            P("NewAccountNumber", "switch", "Draw a new billing account number."),
            P("ServiceZipCode", "string", "The service address's ZIP code (12345 or 12345-6789)."),
            P("AuthorizedName", "string", "Who may authorize a port, as the carrier will name them."),
            P("TimeZone", "string", "The tz database name business days are counted in, such as "
              "America/Chicago."),
            P("NotificationEmail", "string", "The tenant's e-mail contacts, told of each of its "
              "notifications (a port-out request first of all) by the server; replaces the list "
              "before (Remove-PortOutSubscription removes one).", multiple=True),
            _PASS_THRU,
        ),
        do.set_tenant, output_type="Tenant", impact="Medium", action="Set tenant",
        target="Identity",
        examples=(("Set-PortOutTenant -Identity contoso.com -DisplayName 'Contoso Ltd' -PassThru",
                   "Renames a tenant and shows it."),
                  ("Set-PortOutTenant contoso.com -ServiceZipCode 98052 -AuthorizedName 'Megan Bowen'",
                   "What a carrier's request must name besides the PIN."),
                  ("Set-PortOutTenant contoso.com -NotificationEmail noc@contoso.com,security@contoso.com",
                   "Who is e-mailed when a carrier asks to port the tenant's numbers out."),),
        roles="StoreAdmin; TelephonyAdmin within its scope for the account details.",
    ),
    Cmdlet(
        "Remove", "PortOutTenant",
        "Removes a tenant.",
        "Removes a tenant with its PIN record and policy; its numbers leave the inventory and its "
        "closed orders are deleted, in the same transaction. Refused (TenantHasOpenOrders) while "
        "an order is Submitted or Confirmed: cancel or complete it first. Its notifications "
        "stay for store-wide consumers only, and its audit history stays in the store-wide log; "
        "an id created again starts clean (no numbers, orders, notifications or history of the "
        "tenant removed before it). Asks first unless -Force or -Confirm:$false.",
        (_identity(),), do.remove_tenant, impact="High", action="Remove tenant", target="Identity",
        force=True,
        examples=(("Remove-PortOutTenant -Identity fabrikam.com -Force",
                   "Removes a tenant without asking."),),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Set", "PortOutPin",
        "Sets or changes a tenant's port-out PIN.",
        "Sets the PIN that a gaining carrier must present to port the tenant's numbers out. A "
        "PIN has 6 to 10 ASCII digits by default, weak PINs are refused, and a change must "
        "differ from the current PIN. Once set, a PIN can be changed but never removed. US "
        "tenants only. From the command line the PIN is never an argument: it is asked for "
        "(twice), or read with -PinFromStdin or -PinFromFd. Many tenants are hashed in "
        "parallel; with -ErrorAction Stop they are set one at a time in the order given, and "
        "none after the first failure is touched.",
        (
            _identity(),
            P("Pin", "secret", "The new PIN.", mandatory=True, pipeline_by_property=True,
              confirm_entry=True),
            _PASS_THRU,
        ),
        do.set_pin, output_type="PinStatus", impact="Medium", action="Set PIN", target="Identity",
        parallel=True,
        examples=(("portout Set-PortOutPin -Identity contoso.com",
                   "Asks for the new PIN twice, without echo, and sets it."),
                  ("printf '%s\\n' \"$PIN\" | portout Set-PortOutPin contoso.com -PinFromStdin -PassThru",
                   "Reads the PIN from standard input and shows the PIN status."),
                  ("set_port_out_pin('contoso.com', pin=new_pin, pass_thru=True)",
                   "The same from Python.")),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Get", "PortOutPin",
        "Gets the PIN status of tenants (never the PIN).",
        "Shows whether a PIN is set, when it was set and last changed and by whom, the "
        "consecutive failed attempts and any lock, and the result of the last check.",
        (_identity(mandatory=False),), do.get_pin, output_type="PinStatus", target="Identity",
        examples=(("Get-PortOutPin -Identity contoso.com", "The PIN status of one tenant."),
                  ("Get-PortOutPin", "The PIN status of every tenant in scope.")),
        roles="StoreAdmin; TelephonyAdmin and Auditor within their scope.",
    ),
    Cmdlet(
        "Test", "PortOutPin",
        "Checks a PIN: True or False.",
        "Checks the PIN of a tenant. The attempt is counted before the PIN is verified; five "
        "wrong PINs in a row lock the one asking (the session's actor, as a carrier) out of the "
        "tenant; 20 within 24 hours from all of them (each counted up to its five) lock everyone. "
        "Every refusal (wrong PIN, no PIN, unknown tenant, "
        "locked, outside the US) answers False in the same time; Get-PortOutPin shows why.",
        (
            _identity(multiple=False),
            P("Pin", "secret", "The PIN to check.", mandatory=True),
        ),
        do.test_pin, output_type="Boolean", target="Identity",
        examples=(("portout Test-PortOutPin -Identity contoso.com",
                   "Asks for the PIN without echo; prints True or False."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Unlock", "PortOutPin",
        "Clears failed attempts and every lock.",
        "Clears a tenant's failed attempts, every carrier's own lock and the lock of every "
        "carrier (TenantMaxFailures reached), after the admin is sure the attempts were not an "
        "attack. Asks first unless -Force or -Confirm:$false. Audited and notified.",
        (_identity(), _PASS_THRU), do.unlock_pin, output_type="PinStatus", impact="High",
        action="Unlock PIN", target="Identity", force=True,
        examples=(("Unlock-PortOutPin -Identity contoso.com -Force", "Unlocks without asking."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Repair", "PortOutTenant",
        "Takes back into use a tenant whose security state was changed outside portout.",
        "When reads of a tenant fail with StoreTampered (its PIN record, failed attempts, lock, "
        "freeze or policy was changed in the database by someone without the store key), the "
        "tenant is refused everything until this runs. The PIN is removed (the tenant's admin "
        "sets a new one before any port-out), failed attempts and the lock are cleared; the "
        "country, the freeze and the tenant's own policy are kept as the database holds them "
        "and named in the audit event (TenantStateRepaired) for review. -DefaultPolicy puts the "
        "built-in default policy back when the store's was changed. NothingToRepair when the "
        "state is what portout last wrote. Asks first unless -Force or -Confirm:$false.",
        (_identity(mandatory=False, multiple=False),
         P("DefaultPolicy", "switch", "Repair the store's default policy instead of a tenant.")),
        do.repair, output_type="PinStatus", impact="High", action="Repair security state",
        target="Identity", force=True,
        examples=(("Repair-PortOutTenant -Identity contoso.com -Force",
                   "Contoso's state was edited in the database: its PIN is removed, to be set again."),
                  ("Repair-PortOutTenant -DefaultPolicy -Force",
                   "The default policy was loosened in the database: the built-in one is put back.")),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Get", "PortOutPinPolicy",
        "Gets the PIN and lockout policy.",
        "Gets the store's default policy, or the policy that applies to a tenant (its own "
        "settings over the default; Overridden names its own).",
        (P("Identity", "string", "The tenant; omit for the store default.", position=0,
           pipeline_by_property=True, aliases=("TenantId",)),),
        do.get_policy, output_type="PolicySettings",
        examples=(("Get-PortOutPinPolicy", "The store default."),
                  ("Get-PortOutPinPolicy -Identity contoso.com", "What applies to one tenant.")),
        roles="StoreAdmin; TelephonyAdmin and Auditor (tenants within their scope).",
    ),
    Cmdlet(
        "Set", "PortOutPinPolicy",
        "Changes the PIN and lockout policy.",
        "Changes the store default (no -Identity) or one tenant's own settings. Lengths stay "
        "within the seed's 6 to 10 (a policy narrows it, never widens it: PinLengthOutsideSeed); "
        "MaxFailedAttempts (wrong PINs of one carrier that lock that carrier out) within 1 to "
        "100; LockoutDuration within one second and 24 hours; each further lock doubles, up to "
        "MaxLockoutDuration. TenantMaxFailures wrong PINs from all carriers within FailureWindow "
        "lock every carrier out for the window, until an admin unlocks. The porting rules: the "
        "review window (business time) and what its deadline does, the FOC's bounds, the "
        "cancellation cutoff and the holidays (docs/porting.md).",
        (
            P("Identity", "string", "The tenant; omit for the store default.", position=0,
              pipeline_by_property=True, aliases=("TenantId",)),
            P("MinimumLength", "int", "The fewest digits a PIN may have."),
            P("MaximumLength", "int", "The most digits a PIN may have."),
            P("BlockWeakPins", "bool", "Refuse repeated, sequential, patterned and common PINs."),
            P("Blocklist", "string", "PINs refused besides (replaces the list).", multiple=True),
            P("MaxFailedAttempts", "int", "Consecutive wrong PINs before a lock."),
            P("LockoutDuration", "timespan", "How long the first lock lasts (hh:mm:ss)."),
            P("MaxLockoutDuration", "timespan", "The longest a doubled lock may last."),
            P("TenantMaxFailures", "int", "Wrong PINs from all carriers within -FailureWindow that "
              "lock every carrier out."),
            P("FailureWindow", "timespan", "How long a wrong PIN counts toward the ceiling, and "
              "how long the lock of every carrier lasts."),
            P("ReviewWindow", "timespan", "Business time a request waits for review (0: none)."),
            P("ReviewDeadlineAction", "string", "What the review deadline does to a request.",
              choices=("Approve", "Deny")),
            P("MinFocBusinessDays", "int", "Business days from approval to the earliest FOC."),
            P("MaxFocDays", "int", "The furthest ahead an FOC may be, in days."),
            P("CancelCutoff", "timespan", "No cancellation this close to a confirmed FOC."),
            P("Holidays", "string", "Dates (YYYY-MM-DD) that are not business days, besides the US "
              "federal holidays (replaces the list).", multiple=True),
            _PASS_THRU,
        ),
        do.set_policy, output_type="PolicySettings", impact="Medium", action="Set PIN policy",
        target="Identity",
        examples=(("Set-PortOutPinPolicy -MaxFailedAttempts 3 -LockoutDuration 00:30:00",
                   "Three tries, then thirty minutes, for every tenant without its own setting."),
                  ("Set-PortOutPinPolicy -Identity contoso.com -MinimumLength 10",
                   "Contoso asks for ten digits."),),
        roles="StoreAdmin; TelephonyAdmin for tenants within its scope.",
    ),
    Cmdlet(
        "Reset", "PortOutPinPolicy",
        "Drops a tenant's own policy settings.",
        "The tenant follows the store default again.",
        (_identity(), _PASS_THRU), do.reset_policy, output_type="PolicySettings", impact="Medium",
        action="Reset PIN policy", target="Identity",
        examples=(("Reset-PortOutPinPolicy -Identity contoso.com", "Back to the default."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Test", "PortOutPinPolicy",
        "Tells whether a PIN would meet the policy, changing nothing.",
        "Reports IsValid and every rule the PIN fails (Empty, TooShort, TooLong, NotDigits, "
        "RepeatedDigit, Sequential, RepeatedPattern, CommonPin, Blocklisted).",
        (
            P("Pin", "secret", "The PIN to test.", mandatory=True),
            P("Identity", "string", "Test against this tenant's policy.", position=0,
              pipeline_by_property=True, aliases=("TenantId",)),
        ),
        do.test_policy, output_type="PolicyTestResult",
        examples=(("portout Test-PortOutPinPolicy -Identity contoso.com",
                   "Asks for a PIN and tells which rules it fails."),),
        roles="StoreAdmin; TelephonyAdmin and Auditor.",
    ),
    Cmdlet(
        "Get", "PortOutAuditLog",
        "Gets audit events, oldest first.",
        "Every change, check, refusal and key event, with who, when, the outcome and the reason. "
        "No event holds a PIN.",
        (
            P("Identity", "string", "Only this tenant's events.", position=0,
              pipeline_by_property=True, aliases=("TenantId",)),
            P("Since", "datetime", "Events at or after this time (UTC unless it says)."),
            P("Until", "datetime", "Events before this time."),
            P("EventType", "string", "Only these event types (PinSet, PinCheck, ...).",
              multiple=True),
            P("First", "int", "At most this many events."),
        ),
        do.get_audit, output_type="AuditEvent",
        examples=(("Get-PortOutAuditLog -Identity contoso.com -EventType PinCheck -First 20",
                   "The first twenty PIN checks of a tenant."),),
        roles="StoreAdmin; TelephonyAdmin and Auditor within their scope.",
    ),
    Cmdlet(
        "Test", "PortOutAuditLog",
        "Verifies the audit chain.",
        "Walks the keyed hash chain and reports IsValid, EventCount and the first event that "
        "was edited, deleted, inserted or reordered (Problem: Edited, Deleted, Inserted, "
        "Reordered, HeadAltered). The chain alone cannot show that its newest events were "
        "removed, or the whole store put back to an older copy: with -Checkpoint it is also "
        "checked against checkpoints kept outside the store (Save-PortOutAuditCheckpoint), and "
        "is invalid when one does not agree: Truncated (the chain ends before the checkpointed "
        "event), RolledBack (another history at that event), CheckpointInvalid (its signature "
        "does not hold, or it was not signed by this store's key), CheckpointOfAnotherStore. "
        "CheckpointsChecked counts the checkpoints, FailedCheckpoint is the position of the first "
        "that failed, and a warning names its file. A file that is not a checkpoint is an error "
        "(CheckpointMalformed) and nothing is verified.",
        (P("Checkpoint", "string", "Checkpoint files, or folders whose portout-checkpoint-*.json "
           "files are all read.", multiple=True),),
        do.test_audit, output_type="AuditVerification",
        examples=(("Test-PortOutAuditLog", "Proves the log was not altered, or says where."),
                  ("Test-PortOutAuditLog -Checkpoint /var/lib/portout-checkpoints",
                   "Also proves no newest event was removed since the checkpoints were taken.")),
        roles="StoreAdmin, Auditor.",
    ),
    Cmdlet(
        "Save", "PortOutAuditCheckpoint",
        "Writes a signed checkpoint of the audit chain's head to a folder outside the store.",
        "Verifies the whole chain, records AuditCheckpointTaken, and writes the checkpoint of "
        "the chain up to and with that event (the store id, the event's id and MAC, the event "
        "count, the time in UTC, the key id, the Ed25519 public key and signature) as "
        "portout-checkpoint-<StoreId>-<EventId>.json in -Path (mode 0644: it holds nothing "
        "secret). The signing key is derived from the store key, so someone who can write the "
        "database but has no key file can forge none. Keep the folder where a database writer "
        "cannot change it (another host, write-once storage), and take one regularly; "
        "Test-PortOutAuditLog -Checkpoint then proves no event before the newest checkpoint was "
        "removed. An existing file of that name is never overwritten (CheckpointFileExists). The "
        "checkpoint is also handed to the outbox (kind AuditCheckpoint). Refused "
        "(AuditChainBroken), writing nothing, when the chain does not verify.",
        (P("Path", "string", "The folder the checkpoint file is written to.", mandatory=True,
           position=0),),
        do.save_checkpoint, output_type="AuditCheckpoint", impact="Low",
        action="Save audit checkpoint", target="Path",
        examples=(("Save-PortOutAuditCheckpoint -Path /mnt/audit-anchor",
                   "Signs the chain's head and keeps it in /mnt/audit-anchor."),),
        roles="StoreAdmin, Auditor, without a tenant scope.",
    ),
    *ORDER_CMDLETS,
    Cmdlet(
        "Copy", "PortOutStore",
        "Copies the whole store into an empty SQLite file or PostgreSQL schema.",
        "Moves tenants, PIN records, policies, numbers, orders, the audit chain and the "
        "notification state, in one transaction at the destination, between SQLite and "
        "PostgreSQL either way; then verifies the copy's audit chain. PIN records move sealed: no "
        "PIN is needed. The copy opens with the same key file.",
        (P("Destination", "string", "A SQLite path or a postgresql:// URI of an empty store.",
           mandatory=True, position=0),),
        do.copy_store, output_type="CopyReport", impact="Medium", action="Copy store",
        target="Destination",
        examples=(("Copy-PortOutStore -Destination postgresql://portout@db.example/portout",
                   "Moves an embedded store to a shared server."),),
        roles="StoreAdmin without a tenant scope.",
    ),
    *SERVER_CMDLETS,
    Cmdlet(
        "Update", "PortOutKey",
        "Rotates the store key.",
        "Re-seals every PIN record under the key in -NewKeyFile (created if missing), without "
        "knowing any PIN, in batches that each commit on their own. After a crash, connect with "
        "the current key and run it again to finish. Afterwards the store opens only with the "
        "new key; destroy the old key file then. Asks first unless -Force or -Confirm:$false.",
        (
            P("NewKeyFile", "string", "The new key file.", mandatory=True, position=0),
            P("BatchSize", "int", "Records per transaction (default 500)."),
        ),
        do.update_key, output_type="RotationReport", impact="High", action="Rotate store key",
        target="NewKeyFile", force=True,
        examples=(("Update-PortOutKey -NewKeyFile ./store-2026.key -Force",
                   "Rotates to a new key file."),),
        roles="StoreAdmin without a tenant scope.",
    ),
)


#: Other names a cmdlet answers to: the Microsoft Teams cmdlets a tenant admin already knows.
ALIASES: dict[str, str] = {
    "Set-CsOnlineNumberPortOutOrderPin": "Set-PortOutPin",
    "Get-CsOnlineNumberPortOutOrderPin": "Get-PortOutPin",
}

#: Every cmdlet by its name and by its aliases, in lower case: how every host looks one up.
BY_NAME: dict[str, Cmdlet] = {c.name.lower(): c for c in CMDLETS}
BY_NAME.update({alias.lower(): BY_NAME[name.lower()] for alias, name in ALIASES.items()})
