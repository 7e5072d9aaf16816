namespace Connect.Application.ClientAuthentication;

/// <summary>
/// A client JWT whose structure, header and claim types are valid; nothing about it is trusted yet. The signed
/// bytes and the signature are kept decoded, so that the token is read once.
/// </summary>
/// <param name="SigningInput">The ASCII of "header.payload" exactly as sent (RFC 7515 §5.2).</param>
/// <param name="Signature">The decoded signature segment; empty when the segment was.</param>
/// <param name="Algorithm">The header's <c>alg</c>; <c>null</c> when the header has none.</param>
internal sealed record ClientJwt(
    byte[] SigningInput,
    byte[] Signature,
    string? Algorithm,
    string? KeyId,
    string Issuer,
    string Audience,
    long IssuedAt,
    long ExpiresAt,
    long? NotBefore,
    string Id,
    string BodySha256);
