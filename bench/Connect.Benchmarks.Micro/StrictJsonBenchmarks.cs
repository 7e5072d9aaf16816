using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Connect.Application.Jose;
using Connect.Application.SessionTokens;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Benchmarks.Micro;

/// <summary>
/// The one strict JSON reader (<see cref="StrictJson"/>, System.Text.Json with .NET 10's
/// <c>AllowDuplicateProperties = false</c>) reading a token's decoded header and payload for the members its
/// reader asks for. Issue 23 compared it here with the hand-written single pass it replaced (commit d4b2a85 holds
/// both; docs/performance.md, "The strict JSON reader"). Not part of <c>./connect bench</c>'s figures; run it alone
/// with <c>--filter '*StrictJson*'</c>.
/// </summary>
[MemoryDiagnoser]
public class StrictJsonBenchmarks
{
    // ClientJwtReader's and SessionTokenCodec's names, in their order.
    private static readonly byte[][] ClientHeaderNames = Names("alg", "kid", "typ", "crit", "jku", "jwk", "x5u", "x5c");
    private static readonly byte[][] ClientPayloadNames = Names("iss", "sub", "aud", "iat", "exp", "nbf", "jti", "body_sha256", "azp");
    private static readonly byte[][] SessionHeaderNames = Names("alg", "kid", "typ");
    private static readonly byte[][] RefreshPayloadNames = Names("iss", "aud", "sid", "jti", "iat", "exp", "rotationVersion");

    private byte[] _header = null!;
    private byte[] _payload = null!;
    private byte[][] _headerNames = null!;
    private byte[][] _payloadNames = null!;

    /// <summary>A client JWT as the official SDKs sign it, or a refresh token as the service mints it.</summary>
    [Params("client-jwt", "refresh-token")]
    public string Token { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        using var key = RSA.Create(2048);
        var token = Token == "client-jwt" ? new SignedRequest(key, DateTimeOffset.UtcNow).Token : RefreshToken(key);
        var segments = token.Split('.');
        _header = Base64Url.DecodeFromChars(segments[0]);
        _payload = Base64Url.DecodeFromChars(segments[1]);
        (_headerNames, _payloadNames) = Token == "client-jwt"
            ? (ClientHeaderNames, ClientPayloadNames)
            : (SessionHeaderNames, RefreshPayloadNames);

        if (StrictJsonRead() < 8)
        {
            throw new InvalidOperationException("The reader refuses the benchmark token.");
        }

        AssertStrictness();
    }

    /// <summary>Header, then payload, each one strict document.</summary>
    [Benchmark]
    public int StrictJsonRead()
    {
        var room = default(JsonMembers);
        Span<JsonMember> members = room;
        return StrictJson.TryRead(_header, _headerNames, members[.._headerNames.Length], out var header)
            && StrictJson.TryRead(_payload, _payloadNames, members[.._payloadNames.Length], out var payload)
                ? header + payload
                : -1;
    }

    private static string RefreshToken(RSA key)
    {
        var now = DateTimeOffset.UtcNow;
        var codec = new SessionTokenCodec(new FixedClock(now), Options.Create(new SessionTokenOptions { Issuer = "https://connect.example" }));
        var claims = codec.NewRefreshClaims(
            new ApplicationAnchor(SignedRequest.Anchor), SessionTokenCodec.NewOpaqueId(), rotationVersion: 2, now.AddDays(30));
        return codec.Mint(claims, new TokenSigningKey(SessionTokenCodec.NewOpaqueId(), key));
    }

    /// <summary>The reader must hold the rules it is timed under.</summary>
    private static void AssertStrictness()
    {
        string[] refused =
        [
            """{"a":1,"a":2}""", """{"a":1,"\u0061":2}""", """{"x":{"y":{"a":1,"a":2}}}""", """{"x":[{"y":{"b":1,"\u0062":1}}]}""",
            """{"x":[[[[[[[[]]]]]]]]}""", """{"a":1,}""", """{"a":[1,]}""", """{"a":1/* c */}""", """{"a":1} x""",
            """{"a":"\ud800"}""", """{"x":{"\udc00":1}}""", """[]""", """{'a':1}""", """{"a":NaN}""",
        ];
        string[] accepted = ["""{"x":[[[[[[[]]]]]]]}""", """{"a":{"a":1}}""", """{"b":[{"a":1},{"a":2}]}""", " {\"a\":\"\\ud83d\\ude00\"} "];
        foreach (var (text, expected) in refused.Select(t => (Encoding.UTF8.GetBytes(t), false))
            .Concat(accepted.Select(t => (Encoding.UTF8.GetBytes(t), true)))
            .Append(([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8], false)))
        {
            var room = default(JsonMembers);
            Span<JsonMember> members = room;
            if (StrictJson.TryRead(text, [], members[..0], out _) != expected)
            {
                throw new InvalidOperationException($"The reader breaks the rules on {Encoding.UTF8.GetString(text)}.");
            }
        }
    }

    private static byte[][] Names(params string[] names) => [.. names.Select(Encoding.UTF8.GetBytes)];
}
