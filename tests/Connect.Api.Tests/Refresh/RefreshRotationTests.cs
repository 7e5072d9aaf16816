using System.Net;
using System.Text.Json;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Application.SessionTokens;
using Connect.Testing.SessionTokens;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Refresh;

/// <summary>Strict rotation, the grace window and reuse detection (docs/contract/sessions.md <c>/refresh</c> step 11).</summary>
public sealed class RefreshRotationTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task Chain_of_twenty_refreshes_moves_one_version_each_and_every_old_token_is_refused_afterwards()
    {
        var session = await target.IssueAsync();
        var tokens = new List<string> { session.RefreshToken };

        for (var i = 0; i < 20; i++)
        {
            var (_, next) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(tokens[^1]));
            Assert.Equal(i + 2, RefreshTarget.Claims(next).GetProperty("rotationVersion").GetInt32());
            Assert.Equal(session.SessionId, RefreshTarget.Claims(next).GetProperty("sid").GetString());
            tokens.Add(next);
        }

        var row = await target.RowAsync(session.SessionId);
        Assert.Equal(21, row.Version);
        Assert.Equal(RefreshTarget.Claims(tokens[^1]).GetProperty("jti").GetString(), row.CurrentJti);
        Assert.Equal(21, tokens.Distinct(StringComparer.Ordinal).Count());

        // The first old token presented is evidence of theft and ends the session; from then on every token of it,
        // old or current, is refused as revoked.
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(tokens[0]), HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        foreach (var old in tokens.Skip(1))
        {
            await RefreshAssert.ReasonAsync(await target.RefreshAsync(old), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        }

        Assert.Equal(("reuse_detected", 21, 1L), ((await target.RowAsync(session.SessionId)).RevokedReason, (await target.RowAsync(session.SessionId)).Version, (await target.RowAsync(session.SessionId)).Audits));
    }

    [Fact]
    public async Task Reuse_of_an_older_version_revokes_the_session_and_the_owners_current_token_is_then_revoked()
    {
        var session = await target.IssueAsync();
        var tokens = new List<string> { session.RefreshToken };
        for (var i = 0; i < 5; i++)
        {
            tokens.Add((await RefreshAssert.RefreshedAsync(await target.RefreshAsync(tokens[^1]))).Refresh);
        }

        // Version 3 of 6: older than the previous version, so refused even inside the grace window.
        var thief = await target.RefreshAsync(tokens[2]);

        await RefreshAssert.ReasonAsync(thief, HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(tokens[^1]), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((6, "reuse_detected", 1L, "reuse_detected"), (row.Version, row.RevokedReason, row.Audits, row.AuditKinds));
    }

    [Fact]
    public async Task Previous_version_inside_the_window_adopts_the_byte_identical_current_token_and_changes_nothing()
    {
        var session = await target.IssueAsync();
        var (firstAccess, current) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        var before = await target.RowAsync(session.SessionId);
        target.Clock.Advance(TimeSpan.FromSeconds(3));

        var (access, adopted) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        var (_, again) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));

        Assert.Equal(current, adopted, StringComparer.Ordinal);
        Assert.Equal(current, again, StringComparer.Ordinal);
        Assert.Equal(before, await target.RowAsync(session.SessionId));
        Assert.NotEqual(firstAccess, access);
        Assert.Equal(target.Clock.GetUtcNow().ToUnixTimeSeconds(), RefreshTarget.Claims(access).GetProperty("iat").GetInt64());
        Assert.True(await JwksCheck.VerifiesAsync(target.Client, session.App.Anchor.Value, access));

        // The adopted token is the live one: it rotates.
        var (_, third) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(adopted));
        Assert.Equal(3, RefreshTarget.Claims(third).GetProperty("rotationVersion").GetInt32());
    }

    [Fact]
    public async Task Exactly_the_grace_window_adopts_and_one_second_past_it_is_FamilyCompromised()
    {
        var edge = await target.IssueAsync();
        var late = await target.IssueAsync();
        var (_, edgeCurrent) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(edge.RefreshToken));
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(late.RefreshToken));

        target.Clock.Advance(TimeSpan.FromSeconds(RefreshTarget.GraceSeconds));
        await target.AgeRotationAsync(edge.SessionId, TimeSpan.FromSeconds(RefreshTarget.GraceSeconds));
        var atEdge = await target.RefreshAsync(edge.RefreshToken);
        target.Clock.Advance(TimeSpan.FromSeconds(1));
        await target.AgeRotationAsync(late.SessionId, TimeSpan.FromSeconds(RefreshTarget.GraceSeconds + 1));
        var pastEdge = await target.RefreshAsync(late.RefreshToken);

        Assert.Equal(edgeCurrent, (await RefreshAssert.RefreshedAsync(atEdge)).Refresh, StringComparer.Ordinal);
        await RefreshAssert.ReasonAsync(pastEdge, HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        Assert.Null((await target.RowAsync(edge.SessionId)).RevokedAt);
        Assert.Equal("reuse_detected", (await target.RowAsync(late.SessionId)).RevokedReason);
    }

    [Fact]
    public async Task Adoption_re_signs_with_the_key_that_signed_the_current_token_even_once_it_is_retiring()
    {
        // With a JWKS max-age of 0 a rotated-in key signs at once, so the old one retires inside the window.
        var service = target.StartInstance(new Dictionary<string, string?> { ["Connect:SigningKeys:JwksMaxAgeSeconds"] = "0" });
        var app = await target.Db.RegisterApplicationAsync();
        var session = await target.IssueAsync(app: app);
        var (_, current) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken, service.Client));
        var oldKid = Kid(current);
        var rotated = await service.Services.GetRequiredService<IMediator>().Send(new RotateSigningKeyCommand(app.Anchor.Value));
        Assert.True(rotated.Succeeded, rotated.Failure?.Message);

        var (access, adopted) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken, service.Client));

        Assert.Equal(current, adopted, StringComparer.Ordinal);
        Assert.Equal(oldKid, Kid(adopted));
        Assert.Equal(rotated.Value!.KeyId, Kid(access));
        Assert.True(await JwksCheck.VerifiesAsync(service.Client, app.Anchor.Value, adopted));
        Assert.True(await JwksCheck.VerifiesAsync(service.Client, app.Anchor.Value, access));
    }

    [Fact]
    public async Task Dead_tokens_presented_again_get_the_same_answer_again_and_change_nothing()
    {
        // Revoked.
        var revoked = await target.IssueAsync();
        await ApiAssert.RevokedAsync(await target.RevokeAllAsync(revoked), 1);
        await AssertSameAnswerTwiceAsync(revoked, revoked.RefreshToken, HttpStatusCode.Unauthorized, "RefreshTokenRevoked");

        // Unknown session.
        var key = await target.CurrentSigningKeyAsync();
        var unknown = target.Codec.Mint(
            target.Codec.NewRefreshClaims(target.App.Anchor, SessionTokenCodec.NewOpaqueId(), 1, target.Clock.GetUtcNow().AddDays(1)), key);
        for (var i = 0; i < 2; i++)
        {
            await RefreshAssert.ReasonAsync(await target.RefreshAsync(unknown), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        }

        // Compromised: the first presentation is the evidence that ends the session; every later one is the same
        // refusal of a revoked session, and nothing more is written.
        var stolen = await target.IssueAsync();
        var (_, owner) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(stolen.RefreshToken));
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(owner));
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(stolen.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        await AssertSameAnswerTwiceAsync(stolen, stolen.RefreshToken, HttpStatusCode.Unauthorized, "RefreshTokenRevoked");

        // Expired (last: it moves the shared clock past the session's end).
        var expiring = await target.IssueAsync(expiresInSeconds: 2);
        target.Clock.Advance(TimeSpan.FromSeconds(2));
        await AssertSameAnswerTwiceAsync(expiring, expiring.RefreshToken, HttpStatusCode.Unauthorized, "RefreshTokenExpired");
    }

    private async Task AssertSameAnswerTwiceAsync(Issued session, string token, HttpStatusCode status, string reason)
    {
        var before = await target.RowAsync(session.SessionId);
        for (var i = 0; i < 2; i++)
        {
            await RefreshAssert.ReasonAsync(await target.RefreshAsync(token), status, reason);
            Assert.Equal(before, await target.RowAsync(session.SessionId));
        }
    }

    private static string Kid(string token)
    {
        using var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]));
        return header.RootElement.GetProperty("kid").GetString()!;
    }
}
