namespace Connect.Api.Tests.Attacks;

/// <summary>
/// The Authorization header as it arrives on the wire, byte for byte through Kestrel: other schemes, two
/// headers, whitespace variants and oversize values. A genuine token carried wrongly is refused without
/// burning its jti, so the same token sent properly afterwards still succeeds.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class HeaderAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    private const string Json = "Content-Type: application/json";

    [Fact]
    public async Task No_Authorization_header_is_ClientJwtMissing()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post([Json], victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMissing");
        await target.AssertUntouchedAsync(victim);
    }

    [Theory]
    [InlineData("Authorization: Bearer {jwt}")]
    [InlineData("Authorization: Basic {jwt}")]
    [InlineData("Authorization: DPoP {jwt}")]
    [InlineData("Authorization: ClientJWT {jwt}")]
    [InlineData("Authorization: Sudomimus ClientJWT {jwt}")]
    [InlineData("Authorization: SudomimusClientJWTx {jwt}")]
    [InlineData("Authorization: SudomimusClientJWT:{jwt}")]
    [InlineData("Authorization: SudomimusClientJWT={jwt}")]
    [InlineData("Authorization: SudomimusClientJWT")]
    [InlineData("Authorization: ")]
    [InlineData("Authorization: SudomimusClientJWT\t{jwt}")]
    [InlineData("Proxy-Authorization: SudomimusClientJWT {jwt}")]
    [InlineData("X-Authorization: SudomimusClientJWT {jwt}")]
    public async Task Genuine_token_under_another_scheme_or_header_is_ClientJwtMissing(string line)
    {
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();

        var response = await target.SendRawAsync(RawHttp.Post([Json, line.Replace("{jwt}", token, StringComparison.Ordinal)], victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMissing");
        await target.AssertUntouchedAsync(victim);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Theory]
    [InlineData("SudomimusClientJWT {jwt}", "SudomimusClientJWT {jwt}")]
    [InlineData("SudomimusClientJWT {jwt}", "Bearer x")]
    [InlineData("Bearer x", "SudomimusClientJWT {jwt}")]
    [InlineData("SudomimusClientJWT {jwt}", "")]
    public async Task Two_Authorization_headers_are_ClientJwtMalformed(string first, string second)
    {
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();

        var response = await target.SendRawAsync(RawHttp.Post(
            [Json, "Authorization: " + first.Replace("{jwt}", token, StringComparison.Ordinal),
             "Authorization: " + second.Replace("{jwt}", token, StringComparison.Ordinal)],
            victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMalformed");
        await target.AssertUntouchedAsync(victim);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Theory]
    [InlineData("SudomimusClientJWT \t{jwt}")]
    [InlineData("SudomimusClientJWT {jwt}, SudomimusClientJWT {jwt}")]
    [InlineData("SudomimusClientJWT {jwt},{jwt}")]
    [InlineData("SudomimusClientJWT \"{jwt}\"")]
    [InlineData("SudomimusClientJWT {head} {tail}")]
    [InlineData("SudomimusClientJWT {head}\t{tail}")]
    public async Task Token_broken_up_quoted_or_listed_is_ClientJwtMalformed(string value)
    {
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();
        var line = "Authorization: " + value
            .Replace("{jwt}", token, StringComparison.Ordinal)
            .Replace("{head}", token[..20], StringComparison.Ordinal)
            .Replace("{tail}", token[20..], StringComparison.Ordinal);

        var response = await target.SendRawAsync(RawHttp.Post([Json, line], victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMalformed");
        await target.AssertUntouchedAsync(victim);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Theory]
    [InlineData("Authorization: SudomimusClientJWT   {jwt}")]
    [InlineData("Authorization: SudomimusClientJWT {jwt}   ")]
    [InlineData("Authorization: SudomimusClientJWT {jwt}\t")]
    [InlineData("Authorization:   SudomimusClientJWT {jwt}")]
    [InlineData("Authorization:\tSudomimusClientJWT {jwt}")]
    [InlineData("authorization: sudomimusclientjwt {jwt}")]
    public async Task Whitespace_the_grammar_allows_is_accepted(string line)
    {
        // RFC 9110 §11.4: scheme 1*SP token68; §5.5: whitespace around a field value is not part of it.
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();

        var response = await target.SendRawAsync(RawHttp.Post([Json, line.Replace("{jwt}", token, StringComparison.Ordinal)], victim.Body));

        RawAssert.Revoked(response, 2);
        Assert.Equal(new(0, 2, 0), await target.Db.CountSessionsAsync(victim.Account, target.App.Id));
        Assert.Equal(victim.ReplaysBefore + 1, await target.ReplayRecordsAsync(target.App.Id));
    }

    [Fact]
    public async Task Token_over_4_KiB_is_ClientJwtMalformed()
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Payload["pad"] = new string('p', 5000);

        var response = await target.SendRawAsync(RawHttp.Post([Json, "Authorization: " + jwt.AuthorizationHeader()], victim.Body));

        RawAssert.Reason(response, 401, "ClientJwtMalformed");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Authorization_header_over_the_servers_header_limit_is_refused_by_Kestrel_with_431()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post([Json, "Authorization: SudomimusClientJWT " + new string('A', 40 * 1024)], victim.Body));

        RawAssert.Empty(response, 431);
        await target.AssertUntouchedAsync(victim);
    }

    [Theory]
    [InlineData("Authorization: SudomimusClientJWT {jwt}\u00e9")]
    [InlineData("Authorization: SudomimusClientJWT {jwt}\u0000")]
    [InlineData("Authorization: SudomimusClientJWT\r\n {jwt}")]
    public async Task Header_bytes_HTTP_forbids_are_refused_by_Kestrel_with_400(string line)
    {
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();

        var response = await target.SendRawAsync(RawHttp.Post([Json, line.Replace("{jwt}", token, StringComparison.Ordinal)], victim.Body));

        RawAssert.Empty(response, 400);
        await target.AssertUntouchedAsync(victim);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_header_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendRawAsync(RawHttp.Post([Json, "Authorization: " + target.NewJwt(victim.Body).AuthorizationHeader()], victim.Body));

        RawAssert.Revoked(response, 2);
        Assert.Equal(new(0, 2, 0), await target.Db.CountSessionsAsync(victim.Account, target.App.Id));
    }
}
