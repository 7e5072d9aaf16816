using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Connect.Cli.Demo;

/// <summary>
/// Mints a client JWT exactly as the official SDKs do: RS256 over <c>header.payload</c>, with a fresh
/// <c>jti</c>, a 60-second lifetime and <c>body_sha256</c> over the exact body bytes that will be sent.
/// </summary>
internal static class ClientJwtMinter
{
    public const string Audience = "sudomimus-connect";

    public static MintedClientJwt Mint(string anchor, string keyId, RSA privateKey, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var header = new SortedHeader("RS256", "JWT", keyId);
        var payload = new Payload(
            Iss: anchor,
            Aud: Audience,
            Iat: now.ToUnixTimeSeconds(),
            Exp: now.ToUnixTimeSeconds() + 60,
            Jti: Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            BodySha256: Convert.ToBase64String(SHA256.HashData(body)));

        var headerJson = JsonSerializer.Serialize(header, Json);
        var payloadJson = JsonSerializer.Serialize(payload, Json);
        var signingInput = $"{Segment(headerJson)}.{Segment(payloadJson)}";
        var signature = privateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new MintedClientJwt($"{signingInput}.{Base64Url.EncodeToString(signature)}", headerJson, payloadJson);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private sealed record SortedHeader(string Alg, string Typ, string Kid);

    private sealed record Payload(string Iss, string Aud, long Iat, long Exp, string Jti, string BodySha256);
}

/// <param name="Token">The compact JWS for the Authorization header.</param>
/// <param name="HeaderJson">Its decoded header, for a person to read.</param>
/// <param name="PayloadJson">Its decoded payload, for a person to read.</param>
internal sealed record MintedClientJwt(string Token, string HeaderJson, string PayloadJson);
