using System.Net;
using System.Security.Cryptography;
using Connect.Application.Administration;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// Who the caller claims to be: iss is matched exactly against registered anchors, a token verifies only
/// against the active keys of the application it names, and a disabled application learns its status only
/// after proving it holds a key.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class IdentityAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Theory]
    [InlineData("nobody-registered-this")]
    [InlineData("{anchor-upper}")]
    [InlineData("{anchor-title}")]
    [InlineData(" {anchor}")]
    [InlineData("{anchor} ")]
    [InlineData("{anchor}\t")]
    [InlineData("{anchor}\n")]
    [InlineData("{anchor}\u200b")]
    [InlineData("{anchor}\u0000")]
    [InlineData("\u0000")]
    [InlineData("{anchor-fullwidth}")]
    [InlineData("{anchor-prefix}")]
    [InlineData("{anchor-prefix}%")]
    [InlineData("' OR '1'='1")]
    [InlineData("{anchor}' --")]
    [InlineData("{anchor-long}")]
    public async Task Iss_naming_no_application_exactly_is_unknown(string issuer)
    {
        var victim = await target.NewVictimAsync();
        var anchor = target.App.Anchor.Value;
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["iss"] = issuer
            .Replace("{anchor-upper}", anchor.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{anchor-title}", char.ToUpperInvariant(anchor[0]) + anchor[1..], StringComparison.Ordinal)
            .Replace("{anchor-fullwidth}", string.Concat(anchor.Select(c => c == '-' ? "\uff0d" : c.ToString())), StringComparison.Ordinal)
            .Replace("{anchor-prefix}", anchor[..^4], StringComparison.Ordinal)
            .Replace("{anchor-long}", anchor + new string('x', 300), StringComparison.Ordinal)
            .Replace("{anchor}", anchor, StringComparison.Ordinal);

        await AssertRejectedAsync(victim, jwt.Sign(), HttpStatusCode.Unauthorized, "ClientJwtUnknownApplication");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Another_applications_iss_signed_with_this_applications_key_is_an_invalid_signature(bool sameSector, bool withKid)
    {
        var other = await target.Db.RegisterApplicationAsync(sector: sameSector ? target.App.Sector : null);
        var otherVictim = await target.NewVictimAsync(other);
        var jwt = target.NewJwt(otherVictim.Body);
        jwt.Payload["iss"] = other.Anchor.Value;
        if (withKid)
        {
            jwt.Header["kid"] = target.App.KeyId.Value;
        }

        await AssertRejectedAsync(otherVictim, jwt.Sign(), HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
    }

    [Fact]
    public async Task Sub_naming_another_application_is_malformed()
    {
        var other = await target.Db.RegisterApplicationAsync(sector: target.App.Sector);
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["sub"] = other.Anchor.Value;

        await AssertRejectedAsync(victim, jwt.Sign(), HttpStatusCode.Unauthorized, "ClientJwtMalformed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retired_key_verifies_nothing(bool withKid)
    {
        var app = await target.Db.RegisterApplicationAsync();
        using var next = RSA.Create(2048);
        var nextKey = ClientPublicKey.FromSubjectPublicKeyInfo(next.ExportSubjectPublicKeyInfo());
        Assert.Equal(KeyAddition.Added, await target.Db.Applications.AddKeyAsync(app.Anchor, nextKey, CancellationToken.None));
        Assert.True(await target.Db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None));
        var victim = await target.NewVictimAsync(app);
        var jwt = target.NewJwt(victim.Body, app);
        if (withKid)
        {
            jwt.Header["kid"] = app.KeyId.Value;
        }

        await AssertRejectedAsync(victim, jwt.Sign(), HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");

        var current = target.NewJwt(victim.Body, app);
        current.Key = next;
        await target.AssertRevokedAsync(victim, await target.SendAsync(current, victim.Body));
    }

    [Fact]
    public async Task Disabled_application_is_403_only_after_a_valid_token_and_its_jti_is_spent()
    {
        // Contract order: authentication, the replay check last within it, then the application's status.
        var app = await target.Db.RegisterApplicationAsync();
        var victim = await target.NewVictimAsync(app);
        Assert.True(await target.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None));
        using var impostor = RSA.Create(2048);
        var forged = target.NewJwt(victim.Body, app);
        forged.Key = impostor;
        var expired = target.NewJwt(victim.Body, app);
        expired.Payload["iat"] = target.Clock.GetUtcNow().ToUnixTimeSeconds() - 120;
        expired.Payload["exp"] = target.Clock.GetUtcNow().ToUnixTimeSeconds() - 60;

        var forgedResponse = await target.SendAsync(forged, victim.Body);
        var expiredResponse = await target.SendAsync(expired, victim.Body);
        await target.AssertUntouchedAsync(victim);
        var genuine = await target.SendAsync(target.NewJwt(victim.Body, app), victim.Body);

        await ApiAssert.ReasonAsync(forgedResponse, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        await ApiAssert.ReasonAsync(expiredResponse, HttpStatusCode.Unauthorized, "ClientJwtExpired");
        await ApiAssert.ReasonAsync(genuine, HttpStatusCode.Forbidden, "ApplicationDisabled");
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_identity_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private async Task AssertRejectedAsync(Victim victim, string token, HttpStatusCode status, string reason)
    {
        var response = await target.SendAsync($"SudomimusClientJWT {token}", victim.Body);

        await ApiAssert.ReasonAsync(response, status, reason);
        await target.AssertUntouchedAsync(victim);
    }
}
