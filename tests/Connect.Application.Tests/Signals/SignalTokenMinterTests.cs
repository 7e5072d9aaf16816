using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.SessionTokens;
using Connect.Application.Signals;
using Connect.Domain.Applications;
using Connect.Domain.Signals;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.Signals;

/// <summary>The two forms of docs/contract/signals.md, member for member, read back by parsing the token.</summary>
public sealed class SignalTokenMinterTests : IDisposable
{
    private const string Issuer = "https://connect.example";

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly SignalTokenMinter _minter;
    private readonly TokenSigningKey _key;

    public SignalTokenMinterTests()
    {
        var codec = new SessionTokenCodec(_clock, Options.Create(new SessionTokenOptions { Issuer = Issuer }));
        _minter = new SignalTokenMinter(_clock, codec);
        _key = new TokenSigningKey("key-1", _rsa);
    }

    public void Dispose() => _rsa.Dispose();

    [Fact]
    public void Logout_token_for_one_session_has_exactly_the_contract_members_and_header()
    {
        var token = _minter.Mint(Signal(SignalFormat.BackchannelLogout, sid: "sid-1"), _key);

        var (header, payload) = Parts(token);
        Assert.Equal("""{"alg":"RS256","kid":"key-1","typ":"logout+jwt"}""", header.GetRawText());
        Assert.Equal(["iss", "aud", "iat", "exp", "jti", "events", "sub", "sid"], Names(payload));
        Assert.Equal(Issuer, payload.GetProperty("iss").GetString());
        Assert.Equal("aud-1", payload.GetProperty("aud").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("iat").GetInt64());
        Assert.Equal(Now.ToUnixTimeSeconds() + 120, payload.GetProperty("exp").GetInt64());
        Assert.Equal("""{"http://schemas.openid.net/event/backchannel-logout":{}}""", payload.GetProperty("events").GetRawText());
        Assert.Equal("subject-1", payload.GetProperty("sub").GetString());
        Assert.Equal("sid-1", payload.GetProperty("sid").GetString());
        Assert.Matches("^[A-Za-z0-9_-]{43}$", payload.GetProperty("jti").GetString());
    }

    [Fact]
    public void Subject_wide_logout_token_has_sub_and_no_sid_and_never_a_nonce()
    {
        var token = _minter.Mint(Signal(SignalFormat.BackchannelLogout, sid: null), _key);

        var (_, payload) = Parts(token);
        Assert.Equal(["iss", "aud", "iat", "exp", "jti", "events", "sub"], Names(payload));
    }

    [Fact]
    public void Session_revoked_set_for_one_session_names_user_and_session_in_a_complex_sub_id_and_has_no_sub()
    {
        var token = _minter.Mint(Signal(SignalFormat.Caep, sid: "sid-1", entity: InitiatingEntity.Policy), _key);

        var (header, payload) = Parts(token);
        Assert.Equal("""{"alg":"RS256","kid":"key-1","typ":"secevent+jwt"}""", header.GetRawText());
        Assert.Equal(["iss", "aud", "iat", "jti", "sub_id", "events"], Names(payload));
        Assert.Equal(
            """{"format":"complex","user":{"format":"opaque","id":"subject-1"},"session":{"format":"opaque","id":"sid-1"}}""",
            payload.GetProperty("sub_id").GetRawText());
        var ended = Now.AddMinutes(-3).ToUnixTimeSeconds();
        Assert.Equal(
            $$$"""{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"event_timestamp":{{{ended}}},"initiating_entity":"policy"}}""",
            payload.GetProperty("events").GetRawText());
    }

    [Theory]
    [InlineData(InitiatingEntity.Admin, "admin")]
    [InlineData(InitiatingEntity.User, "user")]
    public void Subject_wide_set_has_an_opaque_sub_id_and_the_initiating_entity(InitiatingEntity entity, string expected)
    {
        var token = _minter.Mint(Signal(SignalFormat.Caep, sid: null, entity: entity), _key);

        var (_, payload) = Parts(token);
        Assert.Equal("""{"format":"opaque","id":"subject-1"}""", payload.GetProperty("sub_id").GetRawText());
        var revoked = payload.GetProperty("events").GetProperty(SignalTokenMinter.SessionRevokedEvent);
        Assert.Equal(expected, revoked.GetProperty("initiating_entity").GetString());
    }

    [Fact]
    public void Every_attempt_is_a_new_token_with_a_fresh_jti_and_iat()
    {
        var signal = Signal(SignalFormat.BackchannelLogout, sid: "sid-1");

        var first = Parts(_minter.Mint(signal, _key)).Payload;
        _clock.Advance(TimeSpan.FromSeconds(7));
        var second = Parts(_minter.Mint(signal, _key)).Payload;

        Assert.NotEqual(first.GetProperty("jti").GetString(), second.GetProperty("jti").GetString());
        Assert.Equal(first.GetProperty("iat").GetInt64() + 7, second.GetProperty("iat").GetInt64());
    }

    [Fact]
    public void The_signature_verifies_under_the_signing_key()
    {
        var token = _minter.Mint(Signal(SignalFormat.Caep, sid: null), _key);

        var parts = token.Split('.');
        Assert.True(_rsa.VerifyData(
            System.Text.Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    internal static DueSignal Signal(
        SignalFormat format, string? sid, InitiatingEntity entity = InitiatingEntity.User, int attempt = 1,
        DateTimeOffset? committedAt = null) => new(
        new SignalLease(1, "test", attempt),
        new ReceiverId(Guid.NewGuid()),
        new AppId(Guid.NewGuid()),
        "https://receiver.example/logout",
        format,
        "aud-1",
        "subject-1",
        sid,
        entity,
        Now.AddMinutes(-3),
        committedAt ?? Now.AddMinutes(-3));

    private static (JsonElement Header, JsonElement Payload) Parts(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (
            JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement,
            JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement);
    }

    private static List<string> Names(JsonElement json) => json.EnumerateObject().Select(member => member.Name).ToList();
}
