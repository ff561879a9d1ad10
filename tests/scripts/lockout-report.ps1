# A daily report of tenants with failed PIN attempts or a lock, worst first.
$statuses = Get-PortOutPin
$troubled = $statuses | Where-Object { $_.FailedAttemptCount -gt 0 -or $_.LockedUntil }

if (-not $troubled) {
    Write-Output 'No failed PIN attempts today.'
    return
}

Write-Output "Tenants with failed PIN attempts: $(@($troubled).Count) of $($statuses.Count)"
$troubled |
    Sort-Object -Property FailedAttemptCount, TenantId -Descending |
    Select-Object TenantId, FailedAttemptCount, @{ Name = 'Locked'; Expression = { [bool]$_.LockedUntil } } |
    Format-Table

foreach ($s in $troubled) {
    if ($s.LockedUntil) {
        Write-Warning "$($s.TenantId) is locked: unlock it with Unlock-PortOutPin once the attempts are explained."
    }
}
