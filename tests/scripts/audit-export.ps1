# Exports a tenant's audit history to JSON and summarises it, after checking the log is intact.
param([string]$Tenant = 'contoso.com', [string]$OutFile = './audit.json')

$check = Test-PortOutAuditLog
if (-not $check.IsValid) {
    throw "The audit log is broken at event $($check.FirstBrokenEventId): $($check.Problem)"
}

$events = Get-PortOutAuditLog -Identity $Tenant
$events | Select-Object EventType, Outcome, Reason, Actor | ConvertTo-Json | Out-File -FilePath $OutFile

"Audit events for ${Tenant}: $($events.Count)"
$events | Group-Object -Property EventType | Sort-Object -Property Name | ForEach-Object {
    '{0,-16} {1,3}' -f $_.Name, $_.Count
}
$actors = $events | Select-Object -ExpandProperty Actor -Unique
"Actors: $($actors -join ', ')"
