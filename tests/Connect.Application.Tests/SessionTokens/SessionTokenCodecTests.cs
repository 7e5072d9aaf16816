using Connect.Application.SessionTokens;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>Minting: the exact v4 text of docs/contract/sessions.md, the claims of a new token, and reading a minted token back.</summary>
public sealed class SessionTokenCodecTests : IDisposable
{
    private readonly SessionTokenHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Minted_access_token_is_read_back_with_its_claims_and_verifies()
    {
        var claims = _h.AccessClaims();
        var token = _h.Codec.Mint(claims, _h.SigningKey);

        var read = _h.Codec.ReadAccess(token);

        Assert.True(read.Succeeded, read.ToString());
        Assert.Equal(claims, read.Value.Claims);
        Assert.Equal(_h.SigningKey.KeyId, read.Value.KeyId);
        Assert.True(_h.Codec.Verifies(read.Value, _h.VerificationKey));
    }

    [Fact]
    public void Minted_refresh_token_is_read_back_with_its_claims_and_verifies()
    {
        var claims = _h.RefreshClaims(version: 7);
        var token = _h.Codec.Mint(claims, _h.SigningKey);

        var read = _h.Codec.ReadRefresh(token);

        Assert.True(read.Succeeded, read.ToString());
        Assert.Equal(claims, read.Value.Claims);
        Assert.Equal(_h.SigningKey.KeyId, read.Value.KeyId);
        Assert.True(_h.Codec.Verifies(read.Value, _h.VerificationKey));
    }

    [Fact]
    public void Access_token_text_is_exactly_the_v4_header_and_payload_in_order_with_integer_times()
    {
        var claims = _h.AccessClaims();

        var token = _h.Codec.Mint(claims, _h.SigningKey);

        Assert.Equal(
            $$"""{"alg":"RS256","kid":"{{_h.SigningKey.KeyId}}","typ":"vnd.sudomimus.application-access+jwt"}""",
            SessionTokenHarness.DecodedSegment(token, 0));
        Assert.Equal(
            $$"""{"iss":"https://connect.example","aud":"acme-app","sub":"s-6d1c0b2e","sid":"{{claims.SessionId}}","jti":"{{claims.TokenId}}","iat":{{claims.IssuedAt}},"exp":{{claims.ExpiresAt}}}""",
            SessionTokenHarness.DecodedSegment(token, 1));
    }

    [Fact]
    public void Refresh_token_text_is_exactly_the_v4_header_and_payload_in_order_with_integers()
    {
        var claims = _h.RefreshClaims(version: 3);

        var token = _h.Codec.Mint(claims, _h.SigningKey);

        Assert.Equal(
            $$"""{"alg":"RS256","kid":"{{_h.SigningKey.KeyId}}","typ":"vnd.sudomimus.application-refresh+jwt"}""",
            SessionTokenHarness.DecodedSegment(token, 0));
        Assert.Equal(
            $$"""{"iss":"https://connect.example","aud":"acme-app","sid":"{{claims.SessionId}}","jti":"{{claims.TokenId}}","iat":{{claims.IssuedAt}},"exp":{{claims.ExpiresAt}},"rotationVersion":3}""",
            SessionTokenHarness.DecodedSegment(token, 1));
    }

    [Fact]
    public void Tokens_are_three_segments_of_unpadded_canonical_base64url()
    {
        foreach (var token in new[] { _h.Access(), _h.Refresh() })
        {
            var segments = token.Split('.');

            Assert.Equal(3, segments.Length);
            Assert.All(segments, segment => Assert.Matches("^[A-Za-z0-9_-]+$", segment));
            Assert.Equal(256, Convert.FromBase64String(Pad(segments[2].Replace('-', '+').Replace('_', '/'))).Length);
        }
    }

    [Fact]
    public void Minting_the_same_claims_with_the_same_key_gives_the_byte_identical_token()
    {
        // Adoption inside the grace window re-signs the stored claims and must answer the very same token.
        var refresh = _h.RefreshClaims(version: 2);
        var access = _h.AccessClaims();

        Assert.Equal(_h.Codec.Mint(refresh, _h.SigningKey), _h.Codec.Mint(refresh with { }, _h.SigningKey));
        Assert.Equal(_h.Codec.Mint(access, _h.SigningKey), _h.Codec.Mint(access with { }, _h.SigningKey));
    }

    [Fact]
    public void New_claims_are_issued_now_by_the_configured_issuer_with_a_fresh_256_bit_jti()
    {
        var first = _h.AccessClaims();
        var second = _h.AccessClaims();
        var refresh = _h.RefreshClaims();

        Assert.Equal(SessionTokenHarness.Now, first.IssuedAt);
        Assert.Equal(SessionTokenHarness.Issuer, first.Issuer);
        Assert.Equal(SessionTokenHarness.Issuer, refresh.Issuer);
        Assert.Equal(3, new[] { first.TokenId, second.TokenId, refresh.TokenId }.Distinct().Count());
        Assert.All(new[] { first.TokenId, refresh.TokenId }, jti => Assert.Matches("^[A-Za-z0-9_-]{43}$", jti));
    }

    [Fact]
    public void Access_token_lives_the_access_lifetime_when_the_session_outlives_it()
    {
        var claims = _h.AccessClaims();

        Assert.Equal(SessionTokenHarness.Now + 900, claims.ExpiresAt);
    }

    [Fact]
    public void Access_lifetime_is_configurable()
    {
        using var h = new SessionTokenHarness(accessLifetimeSeconds: 60);

        Assert.Equal(SessionTokenHarness.Now + 60, h.AccessClaims().ExpiresAt);
    }

    [Theory]
    [InlineData(100_000, 100)]
    [InlineData(100_900, 100)]
    [InlineData(1_000, 1)]
    [InlineData(900_000, 900)]
    [InlineData(901_500, 900)]
    [InlineData(-50_000, -50)]
    public void Access_token_never_expires_after_its_session(long sessionEndsInMilliseconds, long expectedLifetime)
    {
        // A session's expiry may hold a fraction of a second: the integer exp is floored, never after it. An
        // already expired session gets an already expired token, never a longer one.
        var sessionExpiresAt = DateTimeOffset.FromUnixTimeSeconds(SessionTokenHarness.Now).AddMilliseconds(sessionEndsInMilliseconds);

        var claims = _h.Codec.NewAccessClaims(SessionTokenHarness.Anchor, SessionTokenHarness.Subject, _h.SessionId, sessionExpiresAt);

        Assert.Equal(SessionTokenHarness.Now + expectedLifetime, claims.ExpiresAt);
        Assert.True(DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt) <= sessionExpiresAt);
    }

    [Fact]
    public void Refresh_token_expires_with_its_session_whatever_its_version()
    {
        _h.Clock.Advance(TimeSpan.FromDays(3));

        var claims = _h.Codec.NewRefreshClaims(SessionTokenHarness.Anchor, _h.SessionId, 12, _h.SessionExpiresAt);

        Assert.Equal(_h.SessionExpiresAt.ToUnixTimeSeconds(), claims.ExpiresAt);
        Assert.Equal(SessionTokenHarness.Now + (3 * 86_400), claims.IssuedAt);
        Assert.Equal(12, claims.RotationVersion);
    }

    [Fact]
    public void Longest_non_ASCII_anchor_and_subject_still_make_a_token_that_is_read_back()
    {
        var anchor = new Connect.Domain.Applications.ApplicationAnchor(new string('\u00e9', 255));
        var subject = new Connect.Domain.Accounts.SectorSubject(new string('\u20ac', 255));
        var claims = _h.Codec.NewAccessClaims(anchor, subject, _h.SessionId, _h.SessionExpiresAt);

        var read = _h.Codec.ReadAccess(_h.Codec.Mint(claims, _h.SigningKey));

        Assert.True(read.Succeeded, read.ToString());
        Assert.Equal(claims, read.Value.Claims);
    }

    [Fact]
    public void Claims_the_reader_would_refuse_are_never_minted()
    {
        var access = _h.AccessClaims();
        var refresh = _h.RefreshClaims();

        Assert.Throws<ArgumentException>(() => _h.Codec.Mint(access with { Audience = new string('a', 256) }, _h.SigningKey));
        Assert.Throws<ArgumentException>(() => _h.Codec.Mint(access with { SessionId = "not/base64url" }, _h.SigningKey));
        Assert.Throws<ArgumentException>(() => _h.Codec.Mint(access with { ExpiresAt = -1 }, _h.SigningKey));
        Assert.Throws<ArgumentException>(() => _h.Codec.Mint(refresh with { RotationVersion = 0 }, _h.SigningKey));
        Assert.Throws<ArgumentException>(() => _h.Codec.Mint(refresh, new TokenSigningKey("", _h.Rsa)));
    }

    [Fact]
    public void Opaque_ids_are_256_random_bits_of_unpadded_base64url()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => SessionTokenCodec.NewOpaqueId()).ToList();

        Assert.Equal(100, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{43}$", id));
    }

    [Fact]
    public void Reading_answers_reasons_and_never_throws_for_no_token_at_all()
    {
        Assert.Equal(ReasonCode.AccessTokenInvalid, _h.Codec.ReadAccess(null).Failure);
        Assert.Equal(ReasonCode.RefreshTokenInvalid, _h.Codec.ReadRefresh(null).Failure);
        Assert.Equal(ReasonCode.AccessTokenInvalid, _h.Codec.ReadAccess("").Failure);
        Assert.Equal(ReasonCode.RefreshTokenInvalid, _h.Codec.ReadRefresh("..").Failure);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
}
