# A daily report of tenants with failed PIN attempts or a lock, worst first: locks of one
# carrier (that carrier's wrong PINs) and locks of every carrier (too many from all of them).
$statuses = Get-PortOutPin
$troubled = $statuses | Where-Object { $_.FailedAttemptCount -gt 0 -or $_.LockedUntil -or $_.Carriers }

if (-not $troubled) {
    Write-Output 'No failed PIN attempts today.'
    return
}

Write-Output "Tenants with failed PIN attempts: $(@($troubled).Count) of $($statuses.Count)"
$troubled |
    Sort-Object -Property FailedAttemptCount, TenantId -Descending |
    Select-Object TenantId, FailedAttemptCount, @{ Name = 'LockedForAll'; Expression = { [bool]$_.LockedUntil } } |
    Format-Table

foreach ($s in $troubled) {
    if ($s.LockedUntil) {
        Write-Warning "$($s.TenantId) is locked for every carrier: unlock it with Unlock-PortOutPin once the attempts are explained."
    }
    foreach ($c in $s.Carriers) {
        if ($c.LockedUntil) {
            Write-Warning "$($s.TenantId): $($c.Carrier) is locked out after $($c.FailedAttemptCount) wrong PINs; other carriers are not."
        }
    }
}
