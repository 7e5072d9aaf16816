using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Testing.ClientJwts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// One application's token-signing key (generated here, 2048 bits), the codec over a fake clock, and the raw
/// members of a genuine token of either kind, which tests change one at a time and re-sign with the real key so
/// that only the changed member can be at fault.
/// </summary>
internal sealed class SessionTokenHarness : IDisposable
{
    public const long Now = 1_750_000_000;

    public const string Issuer = "https://connect.example";

    public static readonly ApplicationAnchor Anchor = new("acme-app");

    public static readonly SectorSubject Subject = new("s-6d1c0b2e");

    // Generated once per test run (a 2048-bit key costs up to seconds on a busy machine); never on disk.
    private static readonly Lazy<RSA> SharedKey = new(() => RSA.Create(2048));

    private static readonly Lazy<RSA> SharedOtherKey = new(() => RSA.Create(2048));

    public SessionTokenHarness(int accessLifetimeSeconds = SessionTokenOptions.DefaultAccessTokenLifetimeSeconds)
    {
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now));
        Codec = new SessionTokenCodec(Clock, Options.Create(new SessionTokenOptions
        {
            Issuer = Issuer,
            AccessTokenLifetimeSeconds = accessLifetimeSeconds,
        }));
        Rsa = SharedKey.Value;
        SigningKey = new TokenSigningKey(Thumbprint(Rsa), Rsa);
        VerificationKey = PublicKeyOf(SigningKey);
    }

    /// <summary>A second key pair, of no application here.</summary>
    public static RSA OtherRsa => SharedOtherKey.Value;

    public FakeTimeProvider Clock { get; }

    public SessionTokenCodec Codec { get; }

    public RSA Rsa { get; }

    public TokenSigningKey SigningKey { get; }

    public TokenVerificationKey VerificationKey { get; }

    public string SessionId { get; } = SessionTokenCodec.NewOpaqueId();

    public DateTimeOffset SessionExpiresAt { get; } = DateTimeOffset.FromUnixTimeSeconds(Now + (30 * 86_400));

    public void Dispose() => VerificationKey.PublicKey.Dispose();

    public AccessTokenClaims AccessClaims() => Codec.NewAccessClaims(Anchor, Subject, SessionId, SessionExpiresAt);

    public RefreshTokenClaims RefreshClaims(int version = 1) => Codec.NewRefreshClaims(Anchor, SessionId, version, SessionExpiresAt);

    public string Access() => Codec.Mint(AccessClaims(), SigningKey);

    public string Refresh() => Codec.Mint(RefreshClaims(), SigningKey);

    /// <summary>The header of a genuine token of <paramref name="kind"/>, member by member, as JSON values.</summary>
    public List<(string Name, string Value)> Header(TokenKind kind) =>
    [
        ("alg", "\"RS256\""),
        ("kid", Quote(SigningKey.KeyId)),
        ("typ", Quote(kind == TokenKind.Access ? SessionTokenCodec.AccessTokenType : SessionTokenCodec.RefreshTokenType)),
    ];

    /// <summary>The payload of a genuine token of <paramref name="kind"/>, member by member, as JSON values.</summary>
    public List<(string Name, string Value)> Payload(TokenKind kind)
    {
        if (kind == TokenKind.Access)
        {
            var a = AccessClaims();
            return
            [
                ("iss", Quote(a.Issuer)), ("aud", Quote(a.Audience)), ("sub", Quote(a.Subject)), ("sid", Quote(a.SessionId)),
                ("jti", Quote(a.TokenId)), ("iat", Integer(a.IssuedAt)), ("exp", Integer(a.ExpiresAt)),
            ];
        }

        var r = RefreshClaims();
        return
        [
            ("iss", Quote(r.Issuer)), ("aud", Quote(r.Audience)), ("sid", Quote(r.SessionId)), ("jti", Quote(r.TokenId)),
            ("iat", Integer(r.IssuedAt)), ("exp", Integer(r.ExpiresAt)), ("rotationVersion", Integer(r.RotationVersion)),
        ];
    }

    /// <summary>A compact JWS over exactly these members, signed RS256 with the application's key.</summary>
    public string Sign(IEnumerable<(string Name, string Value)> header, IEnumerable<(string Name, string Value)> payload) =>
        SignJson(ObjectOf(header), ObjectOf(payload));

    public string SignJson(string header, string payload) =>
        ClientJwtTampering.SignRaw(Rsa, Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(payload));

    /// <summary>Reads a token of <paramref name="kind"/> with the reader of that kind; true when it is read and verifies.</summary>
    public bool ReadsAndVerifies(TokenKind kind, string token) => kind == TokenKind.Access
        ? Codec.ReadAccess(token) is { Succeeded: true } access && Codec.Verifies(access.Value, VerificationKey)
        : Codec.ReadRefresh(token) is { Succeeded: true } refresh && Codec.Verifies(refresh.Value, VerificationKey);

    public static string ObjectOf(IEnumerable<(string Name, string Value)> members) =>
        "{" + string.Join(",", members.Select(member => $"{Quote(member.Name)}:{member.Value}")) + "}";

    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string DecodedSegment(string token, int index) =>
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(ClientJwtTampering.Segment(token, index)));

    public static TokenVerificationKey PublicKeyOf(TokenSigningKey key, string? keyId = null)
    {
        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.PrivateKey.ExportSubjectPublicKeyInfo(), out _);
        return new TokenVerificationKey(keyId ?? key.KeyId, publicKey);
    }

    /// <summary>RFC 7638: SHA-256 over the required members in lexicographic order, as the key store names keys.</summary>
    public static string Thumbprint(RSA key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var json = $$"""{"e":"{{Base64Url.EncodeToString(parameters.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(parameters.Modulus)}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }
}

public enum TokenKind
{
    Access,
    Refresh,
}
