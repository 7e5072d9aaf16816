namespace Connect.Application.Administration.SetApplicationEnabled;

/// <summary>Disable an application (its client JWTs are then refused with ApplicationDisabled) or enable it again.</summary>
public sealed record SetApplicationEnabledCommand(string Anchor, bool Enabled)
    : IRequest<AdministrationOutcome<SetApplicationEnabledResult>>;

public sealed record SetApplicationEnabledResult(ApplicationAnchor Anchor, bool Enabled);
