namespace Connect.Application.Jwks;

/// <summary>The published token-signing keys of the application with this anchor (docs/contract/sessions.md, JWKS).</summary>
/// <param name="Anchor">The anchor, already percent-decoded from its one path segment.</param>
public sealed record GetJwksQuery(string Anchor) : IRequest<Outcome<JwksResult>>;

/// <param name="Keys">Newest first, at most 32.</param>
public sealed record JwksResult(IReadOnlyList<PublicSigningJwk> Keys);

/// <summary>One RSA public key as RFC 7517/7518 write it: <c>n</c> and <c>e</c> unpadded base64url, no leading zero octets.</summary>
public sealed record PublicSigningJwk(string N, string E, string Kid);
