namespace Connect.Application.Administration.RetireApplicationKey;

/// <summary>Take one client-auth key out of service: from the next request on, it verifies nothing.</summary>
public sealed record RetireApplicationKeyCommand(string Anchor, string KeyId)
    : IRequest<AdministrationOutcome<RetireApplicationKeyResult>>;

public sealed record RetireApplicationKeyResult(ApplicationAnchor Anchor, KeyId KeyId);
