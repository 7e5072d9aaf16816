namespace Connect.Application.Administration.ListSigningKeys;

/// <summary>Every token-signing key of one application with its state now; never key material.</summary>
public sealed record ListSigningKeysQuery(string Anchor) : IRequest<AdministrationOutcome<SigningKeyList>>;

public sealed record SigningKeyList(ApplicationAnchor Anchor, IReadOnlyList<SigningKeySummary> Keys);

public sealed record SigningKeySummary(string KeyId, SigningKeyState State, DateTimeOffset CreatedAt, DateTimeOffset CurrentFrom);
