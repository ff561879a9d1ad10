# Reviews submitted port-out orders: confirms those for tenants that are not frozen, with a FOC
# date a week out, and reports the rest.
$foc = [datetime]'2026-12-08T15:00:00Z'
$orders = Get-PortOutOrder -Status Submitted
if (@($orders).Count -eq 0) { 'Nothing to review.'; exit 0 }

$confirmed = 0
foreach ($order in $orders) {
    $tenant = Get-PortOutTenant -Identity $order.TenantId
    if ($tenant.PortOutFrozen) {
        Write-Warning "Order for $($order.TenantId) left alone: port-out is frozen."
        continue
    }
    try {
        $null = Confirm-PortOutOrder -OrderId $order.OrderId -FocDate $foc -Confirm:$false -ErrorAction Stop
        $confirmed++
        "Confirmed: $($order.TenantId), $($order.PhoneNumbers.Count) number(s), FOC $($foc.ToString('yyyy-MM-dd'))"
    }
    catch {
        "Could not confirm the order for $($order.TenantId): $($_.Exception.Message)"
    }
}
"$confirmed of $(@($orders).Count) confirmed"
