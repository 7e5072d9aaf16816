using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.ClientAuthentication;

namespace Connect.Benchmarks.Micro;

/// <summary>One revoke-all request as the official SDKs build it: the body and its client JWT, from the service's own minter.</summary>
internal sealed class SignedRequest
{
    public const string Anchor = "1000042";

    public SignedRequest(RSA key, DateTimeOffset now)
    {
        Body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["subject"] = "-4940004460724202292" });
        BodySha256 = ClientJwtMinter.BodySha256(Body);
        Token = ClientJwtMinter.Mint(Anchor, key, Body, now);
        var signatureStart = Token.LastIndexOf('.');
        SigningInput = Encoding.ASCII.GetBytes(Token[..signatureStart]);
        Signature = Base64Url.DecodeFromChars(Token.AsSpan(signatureStart + 1));
    }

    public byte[] Body { get; }

    public string BodySha256 { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string Token { get; }

    public string AuthorizationHeader => $"SudomimusClientJWT {Token}";
}

/// <summary>The clock stands still at the token's issue time, so a long benchmark never sees it expire.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
