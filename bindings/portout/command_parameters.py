"""Parameters several cmdlets declare alike."""

from __future__ import annotations

from portout.cmdlet import Parameter

_IDENTITY_HELP = ("The tenant: a GUID or a domain-like name such as contoso.com. Takes several, "
                  "and tenant objects (their TenantId) from another cmdlet.")


def identity(mandatory: bool = True, multiple: bool = True) -> Parameter:
    """-Identity: the tenant (several, from the pipeline too, by value or by TenantId)."""
    return Parameter("Identity", "string", _IDENTITY_HELP, mandatory=mandatory, position=0,
                     multiple=multiple, pipeline_by_property=True, pipeline_by_value=True, aliases=("TenantId",))


PASS_THRU = Parameter("PassThru", "switch", "Write the changed object to the output.")
