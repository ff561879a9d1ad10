# Tightens the store's PIN policy: first what would change, then the change, then the result.
param([int]$MinimumLength = 8, [int]$MaxFailedAttempts = 3)

$before = Get-PortOutPinPolicy
"Before: {0}-{1} digits, {2} attempts" -f $before.MinLength, $before.MaxLength, $before.MaxFailedAttempts

Set-PortOutPinPolicy -MinimumLength $MinimumLength -MaxFailedAttempts $MaxFailedAttempts -WhatIf

$WhatIfPreference = $false
Set-PortOutPinPolicy -MinimumLength $MinimumLength -MaxFailedAttempts $MaxFailedAttempts

$after = Get-PortOutPinPolicy
"After: {0}-{1} digits, {2} attempts" -f $after.MinLength, $after.MaxLength, $after.MaxFailedAttempts
if ($after.MinLength -ne $MinimumLength) { throw 'The policy did not change.' }

$tenantsWithOwnPolicy = Get-PortOutTenant | ForEach-Object { Get-PortOutPinPolicy -Identity $_.TenantId } |
    Where-Object { $_.Overridden.Count -gt 0 }
"Tenants with their own settings: $(@($tenantsWithOwnPolicy).Count)"
