namespace Connect.Application.Administration.RotateSigningKey;

/// <summary>
/// Add a next token-signing key: published at once, current once it has been published for the JWKS max-age, when
/// the key that is current now starts retiring.
/// </summary>
public sealed record RotateSigningKeyCommand(string Anchor) : IRequest<AdministrationOutcome<RotateSigningKeyResult>>;

public sealed record RotateSigningKeyResult(ApplicationAnchor Anchor, string KeyId, DateTimeOffset CurrentFrom);
