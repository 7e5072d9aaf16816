using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Connect.Testing.ClientJwts;

/// <summary>
/// Mints client JWTs the way the official SDKs do (RS256 over header.payload, body_sha256 over the raw body),
/// with every part open to tampering for the tests that must reject it.
/// </summary>
public sealed class TestClientJwt
{
    public const string Audience = "sudomimus-connect";

    public TestClientJwt(string issuer, RSA key, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        Key = key;
        Header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        Payload = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.ToUnixTimeSeconds() + 60,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["body_sha256"] = BodySha256(body),
        };
    }

    public RSA Key { get; set; }

    public JsonObject Header { get; }

    public JsonObject Payload { get; }

    /// <summary>When set, used as the header segment's JSON text instead of <see cref="Header"/>.</summary>
    public string? RawHeaderJson { get; set; }

    /// <summary>When set, used as the payload segment's JSON text instead of <see cref="Payload"/>.</summary>
    public string? RawPayloadJson { get; set; }

    public static string BodySha256(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    public static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>The compact JWS, signed RS256 with <see cref="Key"/>.</summary>
    public string Sign()
    {
        var signingInput = SigningInput();
        var signature = Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The compact JWS with the given signature bytes (for none, HMAC and other algorithms).</summary>
    public string WithSignature(Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var signingInput = SigningInput();
        return $"{signingInput}.{Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)))}";
    }

    public string AuthorizationHeader() => $"SudomimusClientJWT {Sign()}";

    private string SigningInput() =>
        $"{Segment(RawHeaderJson ?? Header.ToJsonString())}.{Segment(RawPayloadJson ?? Payload.ToJsonString())}";
}

/// <summary>A body as the official SDKs send it.</summary>
public static class RevokeAllBodies
{
    public static byte[] For(string subject) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["subject"] = subject });
}
