namespace Connect.Application.ClientAuthentication;

/// <summary>A client JWT whose structure, header and claim types are valid; nothing about it is trusted yet.</summary>
internal sealed record ClientJwt(
    string Token,
    string Algorithm,
    string? KeyId,
    string Issuer,
    string Audience,
    long IssuedAt,
    long ExpiresAt,
    long? NotBefore,
    string Id,
    string BodySha256);
