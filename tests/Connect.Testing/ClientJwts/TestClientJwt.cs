using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connect.Application.ClientAuthentication;

namespace Connect.Testing.ClientJwts;

/// <summary>
/// The tests' one client-JWT forger: starts from a genuine token of the service's own <see cref="ClientJwtMinter"/>
/// (exactly as the official SDKs make them) and opens every part of it to tampering for the tests that must reject
/// it. Untouched, <see cref="Sign"/> gives back <see cref="Minted"/> byte for byte.
/// </summary>
public sealed class TestClientJwt
{
    public const string Audience = ClientJwtOptions.ConnectAudience;

    // The minter's JSON text: the compact-JWS writer escapes no more than it must, so an untouched member is
    // written back with the same bytes (the default encoder would spell body_sha256's '+' as \u002B).
    private static readonly JsonSerializerOptions SameText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public TestClientJwt(string issuer, RSA key, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        Key = key;
        Minted = ClientJwtMinter.Mint(issuer, key, body, now);
        var segments = Minted.Split('.');
        Header = Decoded(segments[0]);
        Payload = Decoded(segments[1]);
    }

    /// <summary>The genuine token this one started from.</summary>
    public string Minted { get; }

    public RSA Key { get; set; }

    public JsonObject Header { get; }

    public JsonObject Payload { get; }

    /// <summary>When set, used as the header segment's JSON text instead of <see cref="Header"/>.</summary>
    public string? RawHeaderJson { get; set; }

    /// <summary>When set, used as the payload segment's JSON text instead of <see cref="Payload"/>.</summary>
    public string? RawPayloadJson { get; set; }

    public static string BodySha256(ReadOnlySpan<byte> body) => ClientJwtMinter.BodySha256(body);

    public static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>The compact JWS, signed RS256 with <see cref="Key"/>.</summary>
    public string Sign() => ClientJwtTampering.SignRaw(Key, HeaderBytes(), PayloadBytes());

    /// <summary>The compact JWS with the given signature bytes (for none, HMAC and other algorithms).</summary>
    public string WithSignature(Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var signingInput = $"{Base64Url.EncodeToString(HeaderBytes())}.{Base64Url.EncodeToString(PayloadBytes())}";
        return $"{signingInput}.{Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)))}";
    }

    public string AuthorizationHeader() => $"SudomimusClientJWT {Sign()}";

    private byte[] HeaderBytes() => Encoding.UTF8.GetBytes(RawHeaderJson ?? Header.ToJsonString(SameText));

    private byte[] PayloadBytes() => Encoding.UTF8.GetBytes(RawPayloadJson ?? Payload.ToJsonString(SameText));

    private static JsonObject Decoded(string segment) => JsonNode.Parse(Base64Url.DecodeFromChars(segment))!.AsObject();
}

/// <summary>A body as the official SDKs send it.</summary>
public static class RevokeAllBodies
{
    public static byte[] For(string subject) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["subject"] = subject });
}
