using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// Every claim boundary of the contract on both sides, against the service's fake clock: exp strictly after
/// now, lifetime in (0, 60], iat and nbf at most 30 s ahead, integer times only, 64-bit extremes, jti of at
/// most 128 characters and honoured once per application, aud a single accepted string.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed partial class ClaimBoundaryAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Theory]
    // exp: strictly after now, no skew.
    [InlineData("{now-60}", "{now}", "ClientJwtExpired")]
    [InlineData("{now-61}", "{now-1}", "ClientJwtExpired")]
    [InlineData("-60", "0", "ClientJwtExpired")]
    [InlineData("-61", "-1", "ClientJwtExpired")]
    [InlineData("-9223372036854775808", "-9223372036854775808", "ClientJwtExpired")]
    // lifetime: exp - iat in (0, 60].
    [InlineData("{now-1}", "{now+60}", "ClientJwtLifetimeTooLong")]
    [InlineData("{now+10}", "{now+10}", "ClientJwtLifetimeTooLong")]
    [InlineData("{now+10}", "{now+5}", "ClientJwtLifetimeTooLong")]
    [InlineData("-1", "{now+10}", "ClientJwtLifetimeTooLong")]
    [InlineData("-9223372036854775808", "{now+10}", "ClientJwtLifetimeTooLong")]
    [InlineData("{now}", "9223372036854775807", "ClientJwtLifetimeTooLong")]
    [InlineData("-0", "{now+1}", "ClientJwtLifetimeTooLong")]
    // iat: at most 30 s ahead.
    [InlineData("{now+31}", "{now+91}", "ClientJwtNotYetValid")]
    [InlineData("9223372036854775806", "9223372036854775807", "ClientJwtNotYetValid")]
    // Not JSON integers, or beyond 64 bits.
    [InlineData("\"{now}\"", "{now+60}", "ClientJwtMalformed")]
    [InlineData("{now}", "\"{now+60}\"", "ClientJwtMalformed")]
    [InlineData("{now}.0", "{now+60}", "ClientJwtMalformed")]
    [InlineData("{now}", "{now+60}.5", "ClientJwtMalformed")]
    [InlineData("{now}", "{now+60}e0", "ClientJwtMalformed")]
    [InlineData("1.7e9", "{now+60}", "ClientJwtMalformed")]
    [InlineData("{now}", "1000000000000000000000000000000", "ClientJwtMalformed")]
    [InlineData("{now}", "9223372036854775808", "ClientJwtMalformed")]
    [InlineData("-9223372036854775809", "{now+60}", "ClientJwtMalformed")]
    [InlineData("true", "{now+60}", "ClientJwtMalformed")]
    [InlineData("{now}", "null", "ClientJwtMalformed")]
    [InlineData("{now}", "[{now+60}]", "ClientJwtMalformed")]
    [InlineData("{now}", "{\"$numberLong\":\"{now+60}\"}", "ClientJwtMalformed")]
    public async Task Time_claim_past_its_boundary_is_refused(string iat, string exp, string reason)
    {
        var now = WholeSecond();
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["iat"] = JsonNode.Parse(At(iat, now));
        jwt.Payload["exp"] = JsonNode.Parse(At(exp, now));

        await AssertRejectedAsync(victim, jwt.Sign(), reason);
    }

    [Theory]
    [InlineData("{now}", "{now+60}")]
    [InlineData("{now-59}", "{now+1}")]
    [InlineData("{now+30}", "{now+90}")]
    public async Task Time_claims_just_inside_their_boundaries_are_accepted(string iat, string exp)
    {
        var now = WholeSecond();
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["iat"] = JsonNode.Parse(At(iat, now));
        jwt.Payload["exp"] = JsonNode.Parse(At(exp, now));

        var response = await target.SendAsync(jwt, victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    [Fact]
    public async Task Exp_at_the_current_whole_second_is_expired_even_late_in_that_second()
    {
        var now = WholeSecond();
        target.Clock.Advance(TimeSpan.FromMilliseconds(999));
        var victim = await target.NewVictimAsync();
        var expired = target.NewJwt(victim.Body);
        expired.Payload["iat"] = now - 60;
        expired.Payload["exp"] = now;
        var next = target.NewJwt(victim.Body);
        next.Payload["iat"] = now - 59;
        next.Payload["exp"] = now + 1;

        await AssertRejectedAsync(victim, expired.Sign(), "ClientJwtExpired");
        await target.AssertRevokedAsync(victim, await target.SendAsync(next, victim.Body));
    }

    [Theory]
    [InlineData("{now+31}", "ClientJwtNotYetValid")]
    [InlineData("9223372036854775807", "ClientJwtNotYetValid")]
    [InlineData("\"{now}\"", "ClientJwtMalformed")]
    [InlineData("{now}.0", "ClientJwtMalformed")]
    [InlineData("null", "ClientJwtMalformed")]
    [InlineData("{now+30}", null)]
    [InlineData("-9223372036854775808", null)]
    public async Task Nbf_is_held_to_the_same_rules_as_iat(string nbf, string? reason)
    {
        var now = WholeSecond();
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["nbf"] = JsonNode.Parse(At(nbf, now));

        if (reason is null)
        {
            await target.AssertRevokedAsync(victim, await target.SendAsync(jwt, victim.Body));
            return;
        }

        await AssertRejectedAsync(victim, jwt.Sign(), reason);
    }

    [Theory]
    [InlineData("129 ASCII", "ClientJwtMalformed")]
    [InlineData("65 astral (130 UTF-16 units)", "ClientJwtMalformed")]
    [InlineData("empty", "ClientJwtMalformed")]
    [InlineData("number", "ClientJwtMalformed")]
    [InlineData("array", "ClientJwtMalformed")]
    [InlineData("NUL", "ClientJwtMalformed")]
    [InlineData("128 ASCII", null)]
    [InlineData("64 astral (128 UTF-16 units)", null)]
    public async Task Jti_length_and_type_boundaries(string jti, string? reason)
    {
        var victim = await target.NewVictimAsync();
        var unique = Guid.NewGuid().ToString("N");
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["jti"] = jti switch
        {
            "129 ASCII" => unique + new string('j', 129 - unique.Length),
            "128 ASCII" => unique + new string('j', 128 - unique.Length),
            "65 astral (130 UTF-16 units)" => string.Concat(Enumerable.Repeat("\U0001F511", 65)),
            "64 astral (128 UTF-16 units)" => unique[..8] + string.Concat(Enumerable.Repeat("\U0001F511", 60)),
            "empty" => "",
            "number" => 42,
            "array" => new JsonArray(unique),
            _ => unique + "\u0000",
        };

        if (reason is null)
        {
            await target.AssertRevokedAsync(victim, await target.SendAsync(jwt, victim.Body));
            return;
        }

        await AssertRejectedAsync(victim, jwt.Sign(), reason);
    }

    [Theory]
    [InlineData("""["sudomimus-connect"]""", "ClientJwtMalformed")]
    [InlineData("null", "ClientJwtMalformed")]
    [InlineData("\"Sudomimus-Connect\"", "ClientJwtAudienceMismatch")]
    [InlineData("\"sudomimus-connect \"", "ClientJwtAudienceMismatch")]
    [InlineData("\"https://sudomimus-connect\"", "ClientJwtAudienceMismatch")]
    [InlineData("\"\"", "ClientJwtAudienceMismatch")]
    public async Task Aud_other_than_the_single_accepted_string_is_refused(string aud, string reason)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["aud"] = JsonNode.Parse(aud);

        await AssertRejectedAsync(victim, jwt.Sign(), reason);
    }

    [Fact]
    public async Task Jti_is_honoured_once_per_application_whatever_token_carries_it()
    {
        var victim = await target.NewVictimAsync();
        var first = target.NewJwt(victim.Body);
        var jti = first.Payload["jti"]!.GetValue<string>();
        var sameToken = first.Sign();
        var newToken = target.NewJwt(victim.Body);
        newToken.Payload["jti"] = jti;
        newToken.Payload["iat"] = WholeSecond() - 1;
        newToken.Payload["exp"] = WholeSecond() + 59;

        await target.AssertRevokedAsync(victim, await target.SendAsync($"SudomimusClientJWT {sameToken}", victim.Body));
        var replay = await target.SendAsync($"SudomimusClientJWT {sameToken}", victim.Body);
        var reissued = await target.SendAsync(newToken, victim.Body);

        await ApiAssert.ReasonAsync(replay, HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        await ApiAssert.ReasonAsync(reissued, HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        Assert.Equal(new(0, 2, 0), await target.Db.CountSessionsAsync(victim.Account, target.App.Id));
        Assert.Equal(victim.ReplaysBefore + 1, await target.ReplayRecordsAsync(target.App.Id));
    }

    [Fact]
    public async Task Jti_spent_by_one_application_is_still_fresh_for_another()
    {
        // The replay record is keyed by (application, jti): one application cannot burn another's jti.
        var other = await target.Db.RegisterApplicationAsync();
        var victim = await target.NewVictimAsync();
        var otherVictim = await target.NewVictimAsync(other);
        var mine = target.NewJwt(victim.Body);
        var theirs = target.NewJwt(otherVictim.Body, other);
        theirs.Payload["jti"] = mine.Payload["jti"]!.DeepClone();

        await target.AssertRevokedAsync(victim, await target.SendAsync(mine, victim.Body));
        await target.AssertRevokedAsync(otherVictim, await target.SendAsync(theirs, otherVictim.Body));
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_claim_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private async Task AssertRejectedAsync(Victim victim, string token, string reason)
    {
        var response = await target.SendAsync($"SudomimusClientJWT {token}", victim.Body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, reason);
        await target.AssertUntouchedAsync(victim);
    }

    /// <summary>Moves the fake clock forward to its next whole second (if it is not on one) and returns it.</summary>
    private long WholeSecond()
    {
        var now = target.Clock.GetUtcNow();
        var floor = now.ToUnixTimeSeconds();
        if (DateTimeOffset.FromUnixTimeSeconds(floor) != now)
        {
            target.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(floor + 1));
            return floor + 1;
        }

        return floor;
    }

    /// <summary>The JSON text with each <c>{now}</c>, <c>{now+N}</c> or <c>{now-N}</c> replaced by that instant.</summary>
    private static string At(string template, long now) =>
        NowPattern().Replace(template, match =>
        {
            var offset = match.Groups[1].Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return (now + offset).ToString(CultureInfo.InvariantCulture);
        });

    [GeneratedRegex(@"\{now([+-]\d+)?\}")]
    private static partial Regex NowPattern();
}
