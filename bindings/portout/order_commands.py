"""The cmdlets of the number inventory, port-out orders, the freeze and notifications, each
declared once; ``commands.CMDLETS`` lists them in their place."""

from __future__ import annotations

from portout import actions as do
from portout.cmdlet import Cmdlet, Parameter
from portout.command_parameters import PASS_THRU as _PASS_THRU, identity as _identity

P = Parameter

_ORDER_ID = P("OrderId", "string", "The port-out order.", mandatory=True, position=0, multiple=True,
              pipeline_by_property=True, pipeline_by_value=True)
_STATUSES = ("PendingReview", "Approved", "Confirmed", "Completed", "Rejected", "Denied", "Cancelled",
             "Submitted")
_DENY_REASONS = ("AccountNumberMismatch", "PostalCodeMismatch", "AuthorizedNameMismatch", "CustomerDeclined",
                 "SuspectedFraud", "NumbersNotPortable", "Other")
_CANCEL_REASONS = ("CustomerRequest", "DuplicateRequest", "WrongNumbers", "CarrierError", "Other")
_COMMENT = P("Comment", "string", "Why, in words, for the history and the other side.")

ORDER_CMDLETS: tuple[Cmdlet, ...] = (
    Cmdlet(
        "Add", "PortOutPhoneNumber",
        "Adds numbers to a tenant's inventory.",
        "Parses each number with libphonenumber (US by default) and keeps it in E.164. Invalid "
        "numbers, numbers outside the US and numbers another tenant holds are refused, each with "
        "its own error; -ErrorAction decides what happens to the rest.",
        (
            P("Identity", "string", "The tenant.", mandatory=True, position=0,
              pipeline_by_property=True, aliases=("TenantId",)),
            P("PhoneNumber", "string", "The numbers, in any common format.", mandatory=True,
              position=1, multiple=True, pipeline_by_property=True),
        ),
        do.add_number, output_type="PhoneNumber", impact="Low", action="Add phone number",
        target="PhoneNumber",
        examples=(("Add-PortOutPhoneNumber -Identity contoso.com -PhoneNumber '+1 425 555 0100','(425) 555-0101'",
                   "Adds two numbers."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Get", "PortOutPhoneNumber",
        "Gets the numbers of a tenant, or of every tenant in scope.",
        "Lists numbers in E.164, ordered by number, with their tenant.",
        (P("Identity", "string", "The tenant; omit for every tenant in scope.", position=0,
           pipeline_by_property=True, aliases=("TenantId",)),),
        do.get_number, output_type="PhoneNumber",
        examples=(("Get-PortOutPhoneNumber -Identity contoso.com", "A tenant's numbers."),),
        roles="StoreAdmin; TelephonyAdmin and Auditor within their scope.",
    ),
    Cmdlet(
        "Remove", "PortOutPhoneNumber",
        "Removes numbers from a tenant's inventory.",
        "Removes numbers the tenant holds; a number in an open port-out order stays until the "
        "order is completed or cancelled.",
        (
            P("Identity", "string", "The tenant.", mandatory=True, position=0,
              pipeline_by_property=True, aliases=("TenantId",)),
            P("PhoneNumber", "string", "The numbers.", mandatory=True, position=1, multiple=True,
              pipeline_by_property=True),
        ),
        do.remove_number, impact="Medium", action="Remove phone number", target="PhoneNumber",
        examples=(("Remove-PortOutPhoneNumber contoso.com +14255550100", "Removes one number."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "New", "PortOutOrder",
        "Submits a gaining carrier's port-out request.",
        "Validates the request as carriers send it (47 CFR 52.36(b)) and keeps it as an order, "
        "PendingReview with its review deadline, or Rejected with a reason. Malformed fields "
        "are refused before anything is read or counted. A request without a PIN is told "
        "PinRequired, for any tenant, and nothing is counted. The PIN is counted (for this "
        "carrier, and toward the tenant-wide ceiling) before it is verified; the carrier is told "
        "PinNotAccepted for a wrong PIN, a tenant with no PIN or a locked one, and an unknown "
        "tenant or account alike. Only behind the right PIN: PortOutFrozen, "
        "AccountNumberMismatch, PostalCodeMismatch, AuthorizedNameMismatch, NumberNotOwned or "
        "NumberInOpenOrder with the numbers concerned, FullPortIncomplete (a full port names "
        "every number of the account) and PartialPortNotAllowed. At most 1000 numbers. The PIN "
        "follows the command line's rules for secrets. See docs/porting.md.",
        (
            P("Identity", "string", "The tenant whose numbers are to move (or give -AccountNumber).",
              position=0, pipeline_by_property=True, aliases=("TenantId",)),
            P("PhoneNumber", "string", "The numbers to port out.", mandatory=True, multiple=True,
              pipeline_by_property=True),
            P("Pin", "secret", "The tenant's port-out PIN.", mandatory=True),
            P("GainingCarrier", "string", "The carrier the numbers move to (InvalidCarrier without "
              "it); a session signed in with a Carrier credential is that credential's carrier, "
              "and this is ignored."),
            P("CarrierSpid", "string", "The gaining carrier's NPAC SPID: 4 letters or digits."),
            P("PurchaseOrderNumber", "string", "The carrier's purchase order number (PON).",
              aliases=("Pon",)),
            P("AccountNumber", "string", "The account number on the customer's bill."),
            P("ServiceZipCode", "string", "The service address's ZIP code."),
            P("AuthorizedName", "string", "Who authorized the port."),
            P("PortType", "string", "Full (every number of the account) or Partial; unstated, the "
              "numbers tell.", choices=("Full", "Partial")),
            P("RequestedDueDate", "datetime", "When the carrier would like the port to happen.",
              aliases=("RequestedFocDate",)),
            P("IdempotencyKey", "string", "A key of the carrier's own (a UUID, say): the request "
              "sent again with it gets the first order back, its PIN not checked again; the same "
              "key with another request is IdempotencyKeyReused."),
        ),
        do.new_order, output_type="Order", impact="Low", action="Submit port-out order",
        target="Identity",
        examples=(("portout New-PortOutOrder contoso.com -PhoneNumber +14255550100 -GainingCarrier "
                   "Northwind -CarrierSpid 6529 -Pon PON-1001 -ServiceZipCode 98052 -PinFromStdin",
                   "Submits a request; the PIN comes from stdin."),),
        roles="Carrier, StoreAdmin.",
    ),
    Cmdlet(
        "Get", "PortOutOrder",
        "Gets port-out orders, or their history.",
        "Gets orders by id, or filtered by tenant, status and carrier, oldest first; with "
        "-History, each transition of the orders named (who, when, from what to what, why). An "
        "order under review past its deadline is settled by the policy's action first. A Carrier "
        "session sees only the orders it submitted, and never the internal reason.",
        (
            P("OrderId", "string", "The orders.", position=0, multiple=True, pipeline_by_property=True,
              pipeline_by_value=True),
            P("Identity", "string", "Only this tenant's orders.", pipeline_by_property=True,
              aliases=("TenantId",)),
            P("Status", "string", "Only orders in this state.", choices=_STATUSES),
            P("GainingCarrier", "string", "Only this carrier's orders."),
            P("History", "switch", "The transitions of the orders named by -OrderId."),
        ),
        do.get_order, output_type="Order", target="OrderId",
        examples=(("Get-PortOutOrder -Identity contoso.com -Status PendingReview",
                   "Requests waiting for review."),
                  ("Get-PortOutOrder $id -History", "Who did what to an order, and why.")),
        roles="StoreAdmin; TelephonyAdmin and Auditor within their scope; Carrier (its own).",
    ),
    Cmdlet(
        "Approve", "PortOutOrder",
        "Approves a port-out request under review.",
        "PendingReview -> Approved, by the tenant's admin or the provider's porting desk; the "
        "carrier is told. Unreviewed, a request is settled at its deadline by the policy's "
        "ReviewDeadlineAction.",
        (_ORDER_ID, _COMMENT), do.approve_order, output_type="Order", impact="Medium",
        action="Approve port-out order", target="OrderId",
        examples=(("Approve-PortOutOrder $id -Comment 'confirmed with the customer'",
                   "Lets the port go ahead."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Deny", "PortOutOrder",
        "Denies a port-out request under review, with a reason.",
        "PendingReview -> Denied with a reason code the carrier is told (Other needs a "
        "-Comment); the numbers are free for another request.",
        (_ORDER_ID,
         P("Reason", "string", "The reason code the carrier is told.", mandatory=True,
           choices=_DENY_REASONS),
         _COMMENT),
        do.deny_order, output_type="Order", impact="Medium", action="Deny port-out order",
        target="OrderId",
        examples=(("Deny-PortOutOrder $id -Reason SuspectedFraud -Comment 'the customer did not ask'",
                   "Stops a port the customer disowns."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Confirm", "PortOutOrder",
        "Confirms an approved order with its firm order commitment (FOC) date.",
        "Approved -> Confirmed (an order still under review is approved by it first). The FOC "
        "date is a business day of the tenant's (its time zone; weekends, US federal holidays "
        "and the policy's Holidays skipped), not in the past, at least the policy's "
        "MinFocBusinessDays after approval and at most its MaxFocDays ahead: FocNotBusinessDay, "
        "FocInPast, FocTooEarly, FocTooLate otherwise. Any other transition is an "
        "InvalidOperation error and changes nothing.",
        (_ORDER_ID, P("FocDate", "datetime", "The firm order commitment date.", mandatory=True)),
        do.confirm_order, output_type="Order", impact="Medium", action="Confirm port-out order",
        target="OrderId",
        examples=(("Confirm-PortOutOrder -OrderId $id -FocDate 2026-12-03T15:00Z", "Commits to a date."),),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Set", "PortOutOrder",
        "Changes a confirmed order's FOC date.",
        "Moves the FOC of a Confirmed order, under the same rules as Confirm-PortOutOrder; told "
        "to both sides as OrderFocChanged.",
        (_ORDER_ID, P("FocDate", "datetime", "The new firm order commitment date.", mandatory=True),
         _COMMENT),
        do.set_order, output_type="Order", impact="Medium", action="Change FOC date",
        target="OrderId",
        examples=(("Set-PortOutOrder $id -FocDate 2026-12-04T15:00Z -Comment 'the customer asked'",
                   "A day later."),),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Complete", "PortOutOrder",
        "Completes a confirmed order: its numbers leave the tenant's inventory.",
        "Confirmed -> Completed, not before the FOC date (FocNotReached), and the order's "
        "numbers are released from the tenant's inventory in the same transaction. Asks first "
        "unless -Force or -Confirm:$false.",
        (_ORDER_ID,), do.complete_order, output_type="Order", impact="High",
        action="Complete port-out order", target="OrderId", force=True,
        examples=(("Complete-PortOutOrder -OrderId $id -Force", "The numbers are gone."),),
        roles="StoreAdmin.",
    ),
    Cmdlet(
        "Stop", "PortOutOrder",
        "Cancels an order before it completes, with a reason.",
        "PendingReview, Approved or Confirmed -> Cancelled, with a reason code (Other needs a "
        "-Comment); refused within the policy's CancelCutoff of a confirmed FOC (CancelTooLate). "
        "Its numbers are free for another order.",
        (_ORDER_ID,
         P("Reason", "string", "Why the order is cancelled.", mandatory=True, choices=_CANCEL_REASONS),
         _COMMENT),
        do.stop_order, output_type="Order", impact="Medium",
        action="Cancel port-out order", target="OrderId",
        examples=(("Stop-PortOutOrder -OrderId $id -Reason CustomerRequest", "Cancels a request."),),
        roles="StoreAdmin; TelephonyAdmin within its scope; Carrier (its own).",
    ),
    Cmdlet(
        "Enable", "PortOutFreeze",
        "Freezes every port-out of a tenant.",
        "While frozen, every port-out request is rejected. The PIN is checked and counted as "
        "for any tenant; a requester who gave the right PIN is told PortOutFrozen (so the "
        "customer learns to lift it), any other is told PinNotAccepted, so a guesser cannot "
        "tell a frozen tenant apart. Audited and notified.",
        (_identity(), _PASS_THRU), do.enable_freeze, output_type="Tenant", impact="Medium",
        action="Freeze port-out", target="Identity",
        examples=(("Enable-PortOutFreeze -Identity contoso.com", "Nothing ports out now."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Disable", "PortOutFreeze",
        "Lifts a tenant's port-out freeze.",
        "Port-out requests are judged on their PIN and numbers again. Asks first unless -Force or "
        "-Confirm:$false. Audited and notified.",
        (_identity(), _PASS_THRU), do.disable_freeze, output_type="Tenant", impact="High",
        action="Lift port-out freeze", target="Identity", force=True,
        examples=(("Disable-PortOutFreeze -Identity contoso.com -Force", "Lifts the freeze."),),
        roles="StoreAdmin; TelephonyAdmin within its scope.",
    ),
    Cmdlet(
        "Receive", "PortOutNotification",
        "Receives the notifications a consumer has not acknowledged.",
        "Every port-out request, order change, failed PIN check, lockout, unlock, PIN change, "
        "freeze change and key rotation is written to the outbox in the transaction of the "
        "change. Each consumer gets, oldest first, what it has not acknowledged, again and again "
        "until it does; several consumers each see every notification. A session with a tenant "
        "scope sees its tenants' notifications only, and its consumers are its own: its pager "
        "is not the provider's pager.",
        (
            P("Consumer", "string", "The consumer's name, such as pager or siem-feed.",
              mandatory=True, position=0),
            P("MaxCount", "int", "At most this many (default 100)."),
        ),
        do.receive, output_type="Notification",
        examples=(("Receive-PortOutNotification -Consumer pager -MaxCount 10", "The next ten."),),
        roles="StoreAdmin; TelephonyAdmin (its tenants' notifications).",
    ),
    Cmdlet(
        "Confirm", "PortOutNotification",
        "Acknowledges notifications for a consumer.",
        "An acknowledged notification is never handed to that consumer again. Ids already "
        "acknowledged, unknown, or of tenants outside the session's scope are ignored; what is "
        "acknowledged is audited (NotificationsAcknowledged).",
        (
            P("Consumer", "string", "The consumer's name.", mandatory=True, position=0),
            P("NotificationId", "int", "The notifications handled.", mandatory=True, position=1,
              multiple=True, pipeline_by_property=True),
        ),
        do.acknowledge,
        examples=(("Confirm-PortOutNotification -Consumer pager -NotificationId 41,42",
                   "Acknowledges two."),),
        roles="StoreAdmin; TelephonyAdmin.",
    ),
)
