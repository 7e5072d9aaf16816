namespace Connect.Application.Administration.SetAccountEnabled;

/// <summary>
/// Disable an account (its sessions are kept, but none refreshes, introspects as active or is issued meanwhile) or
/// enable it again. A deleted account is refused either way.
/// </summary>
public sealed record SetAccountEnabledCommand(AccountId Account, bool Enabled)
    : IRequest<AdministrationOutcome<SetAccountEnabledResult>>;

public sealed record SetAccountEnabledResult(AccountId Account, bool Enabled);
