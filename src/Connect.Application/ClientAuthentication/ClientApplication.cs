namespace Connect.Application.ClientAuthentication;

/// <summary>What the client-JWT policy needs to know about the application an <c>iss</c> names.</summary>
/// <param name="Revision">Bumped by every change to the application or its keys: tells a cached copy from the current one.</param>
public sealed record ClientApplication(
    AppId Id,
    ApplicationAnchor Anchor,
    SectorId Sector,
    long Revision,
    bool Enabled,
    IReadOnlyList<ClientKey> ActiveKeys);

/// <summary>One active client-auth public key: its id and its SubjectPublicKeyInfo (DER).</summary>
public sealed record ClientKey(KeyId Id, ReadOnlyMemory<byte> SubjectPublicKeyInfo);

/// <summary>The caller, once its client JWT has passed every check.</summary>
public sealed record AuthenticatedApplication(AppId Id, ApplicationAnchor Anchor, SectorId Sector)
{
    /// <summary>
    /// The accepted <c>aud</c> the client JWT carried: it names the generation of client that sent it, and the answer
    /// takes that generation's shape (docs/contract/sessions.md "/revoke-all and /health for both generations").
    /// </summary>
    public string Audience { get; init; } = ClientJwtOptions.ConnectAudience;

    /// <summary>A Session API client (<c>aud</c> <c>sudomimus-session</c>), which reads <c>{"revoked":true}</c>.</summary>
    public bool IsSessionGeneration => string.Equals(Audience, ClientJwtOptions.SessionAudience, StringComparison.Ordinal);

    /// <summary>
    /// Set when the policy was asked to leave the replay record to the endpoint's own statement and did: the request is
    /// not proved new until that statement or <see cref="UnrecordedClientJwt.RecordAsync"/> writes it.
    /// </summary>
    public UnrecordedClientJwt? Unrecorded { get; init; }
}
