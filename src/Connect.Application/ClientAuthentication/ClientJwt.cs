using Microsoft.IdentityModel.JsonWebTokens;

namespace Connect.Application.ClientAuthentication;

/// <summary>
/// A client JWT whose structure, header and claim types are valid; nothing about it is trusted yet. The token is
/// kept as the signature library parsed it, so that it is parsed once.
/// </summary>
internal sealed record ClientJwt(
    JsonWebToken Token,
    string Algorithm,
    string? KeyId,
    string Issuer,
    string Audience,
    long IssuedAt,
    long ExpiresAt,
    long? NotBefore,
    string Id,
    string BodySha256);
