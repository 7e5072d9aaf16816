namespace Connect.Application.Administration.RemoveSigningKey;

/// <summary>Remove a token-signing key at once (it leaked): tokens it signed verify nowhere from now on.</summary>
public sealed record RemoveSigningKeyCommand(string Anchor, string KeyId) : IRequest<AdministrationOutcome<RemoveSigningKeyResult>>;

public sealed record RemoveSigningKeyResult(ApplicationAnchor Anchor, string KeyId);
