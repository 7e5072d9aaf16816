using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Connect.Benchmarks.Micro;

/// <summary>One revoke-all request as the official SDKs build it: the body and its RS256 client JWT.</summary>
internal sealed class SignedRequest
{
    public const string Anchor = "1000042";
    public const string Audience = "sudomimus-connect";

    public SignedRequest(RSA key, DateTimeOffset now)
    {
        Body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["subject"] = "-4940004460724202292" });
        BodySha256 = Convert.ToBase64String(SHA256.HashData(Body));
        var header = Segment("""{"alg":"RS256","typ":"JWT"}""");
        var payload = Segment(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Anchor,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.ToUnixTimeSeconds() + 60,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["body_sha256"] = BodySha256,
        }));
        SigningInput = Encoding.ASCII.GetBytes($"{header}.{payload}");
        Signature = key.SignData(SigningInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Token = $"{header}.{payload}.{Base64Url.EncodeToString(Signature)}";
    }

    public byte[] Body { get; }

    public string BodySha256 { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string Token { get; }

    public string AuthorizationHeader => $"SudomimusClientJWT {Token}";

    private static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}

/// <summary>The clock stands still at the token's issue time, so a long benchmark never sees it expire.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
