# Sets the port-out PIN of every tenant listed in a CSV file (TenantId,Pin), keeps going past
# the ones that fail, and writes a report of what happened to each.
param(
    [Parameter(Mandatory = $true)][string]$CsvPath,
    [string]$ReportPath = './pin-rollout-report.csv'
)

$rows = Import-Csv -Path $CsvPath
Write-Host "Rolling out PINs to $($rows.Count) tenants"

$report = foreach ($row in $rows) {
    try {
        Set-PortOutPin -Identity $row.TenantId -Pin $row.Pin -ErrorAction Stop
        [pscustomobject]@{ TenantId = $row.TenantId; Result = 'Set'; Reason = '' }
    }
    catch {
        [pscustomobject]@{ TenantId = $row.TenantId; Result = 'Failed'; Reason = $_.FullyQualifiedErrorId }
    }
}

$report | Export-Csv -Path $ReportPath -NoTypeInformation
$report | Format-Table -AutoSize

$failed = @($report | Where-Object { $_.Result -eq 'Failed' })
"{0} set, {1} failed" -f ($report.Count - $failed.Count), $failed.Count
if ($failed.Count -gt 0) { exit 1 }
