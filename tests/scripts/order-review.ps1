# Reviews port-out requests waiting for review: confirms those for tenants that are not frozen,
# with an FOC date a week out (the next business day from there), and reports the rest.
$foc = (Get-Date -AsUTC).Date.AddDays(7).AddHours(16)
$orders = Get-PortOutOrder -Status PendingReview
if (@($orders).Count -eq 0) { 'Nothing to review.'; exit 0 }

$confirmed = 0
foreach ($order in $orders) {
    $tenant = Get-PortOutTenant -Identity $order.TenantId
    if ($tenant.PortOutFrozen) {
        Write-Warning "Order for $($order.TenantId) left alone: port-out is frozen."
        continue
    }
    $when = $foc
    for ($try = 0; $try -lt 7; $try++) {
        try {
            $null = Confirm-PortOutOrder -OrderId $order.OrderId -FocDate $when -Confirm:$false -ErrorAction Stop
            $confirmed++
            "Confirmed: $($order.TenantId), $($order.PhoneNumbers.Count) number(s), FOC on a business day"
            break
        }
        catch {
            if ($_.FullyQualifiedErrorId -like 'FocNotBusinessDay*') { $when = $when.AddDays(1); continue }
            "Could not confirm the order for $($order.TenantId): $($_.Exception.Message)"
            break
        }
    }
}
"$confirmed of $(@($orders).Count) confirmed"
(Get-PortOutOrder -OrderId $orders[0].OrderId -History | ForEach-Object { "$($_.FromStatus) -> $($_.ToStatus) by $($_.Actor)" })
