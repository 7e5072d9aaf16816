using System.Net;
using System.Text;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// What a genuine application can reach: subjects are looked up only in its own sector and exactly as sent,
/// tokens are revoked only under its own id, and a subject of another sector answers byte for byte like one
/// never issued, so the endpoint cannot be used to probe which subjects exist.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class ScopingAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Fact]
    public async Task Subject_of_another_sector_answers_byte_for_byte_like_an_unknown_one()
    {
        var stranger = await target.Db.RegisterApplicationAsync();
        var foreign = await target.NewVictimAsync(stranger);
        var unknownBody = RevokeAllBodies.For(UnknownLike(foreign.Subject));
        Assert.Equal(foreign.Body.Length, unknownBody.Length);

        var toForeign = await SendRawAsync(foreign.Body);
        var toUnknown = await SendRawAsync(unknownBody);

        RawAssert.Revoked(toForeign, 0);
        Assert.Equal(Comparable(toUnknown), Comparable(toForeign));
        Assert.Equal(toUnknown.Body, toForeign.Body);
        await target.AssertUntouchedAsync(foreign);
    }

    [Fact]
    public async Task Same_persons_subject_in_another_sector_revokes_nothing()
    {
        var stranger = await target.Db.RegisterApplicationAsync();
        var victim = await target.NewVictimAsync();
        var otherSubject = await target.Db.Accounts.IssueSubjectAsync(victim.Account, stranger.Sector, CancellationToken.None);
        await target.Db.IssueSessionsAsync(victim.Account, stranger.Id, 3);
        var body = RevokeAllBodies.For(otherSubject!.Value.Value);

        var response = await target.SendAsync(target.NewJwt(body), body);

        await ApiAssert.RevokedAsync(response, 0);
        await target.AssertUntouchedAsync(victim, burned: 1);
        Assert.Equal(new(3, 0, 0), await target.Db.CountSessionsAsync(victim.Account, stranger.Id));
    }

    [Fact]
    public async Task Sibling_application_of_the_same_sector_keeps_its_sessions()
    {
        var sibling = await target.Db.RegisterApplicationAsync(sector: target.App.Sector);
        var victim = await target.NewVictimAsync();
        await target.Db.IssueSessionsAsync(victim.Account, sibling.Id, 4);

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
        Assert.Equal(new(4, 0, 0), await target.Db.CountSessionsAsync(victim.Account, sibling.Id));
    }

    [Fact]
    public async Task Sibling_revoking_the_shared_subject_leaves_this_applications_sessions()
    {
        var sibling = await target.Db.RegisterApplicationAsync(sector: target.App.Sector);
        var victim = await target.NewVictimAsync();
        await target.Db.IssueSessionsAsync(victim.Account, sibling.Id, 4);

        var response = await target.SendAsync(target.NewJwt(victim.Body, sibling), victim.Body);

        await ApiAssert.RevokedAsync(response, 4);
        await target.AssertUntouchedAsync(victim);
        Assert.Equal(new(0, 4, 0), await target.Db.CountSessionsAsync(victim.Account, sibling.Id));
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("lower")]
    [InlineData("leading space")]
    [InlineData("trailing space")]
    [InlineData("zero-width space")]
    [InlineData("prefix")]
    [InlineData("prefix and %")]
    [InlineData("underscore wildcard")]
    [InlineData("padded with NBSP")]
    [InlineData("' OR '1'='1")]
    [InlineData("subject' OR '1'='1")]
    [InlineData("*")]
    public async Task Subject_matching_only_loosely_revokes_nothing(string variant)
    {
        var victim = await target.NewVictimAsync();
        var s = victim.Subject;
        var subject = variant switch
        {
            "upper" => s.ToUpperInvariant(),
            "lower" => s.ToLowerInvariant(),
            "leading space" => " " + s,
            "trailing space" => s + " ",
            "zero-width space" => s + "\u200b",
            "prefix" => s[..^1],
            "prefix and %" => s[..^1] + "%",
            "underscore wildcard" => string.Concat(s.AsSpan(0, s.IndexOfAnyExcept('_')), "_", s.AsSpan(s.IndexOfAnyExcept('_') + 1)),
            "padded with NBSP" => s + "\u00a0",
            "subject' OR '1'='1" => s + "' OR '1'='1",
            _ => variant,
        };
        Assert.NotEqual(s, subject);
        var body = RevokeAllBodies.For(subject);

        var response = await target.SendAsync(target.NewJwt(body), body);

        await ApiAssert.RevokedAsync(response, 0);
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_scoping_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private Task<RawResponse> SendRawAsync(byte[] body) =>
        target.SendRawAsync(RawHttp.Post(
            ["Content-Type: application/json", "Authorization: " + target.NewJwt(body).AuthorizationHeader()], body));

    /// <summary>Every header but Date, in order: what a prober could compare.</summary>
    private static string Comparable(RawResponse response) =>
        $"{response.Status}\n" + string.Join('\n', response.Headers
            .Where(header => !header.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(header => $"{header.Key}: {header.Value}"));

    /// <summary>A never-issued subject of the same length and alphabet as <paramref name="subject"/>.</summary>
    private static string UnknownLike(string subject)
    {
        var chars = new StringBuilder(subject);
        chars[0] = subject[0] == 'A' ? 'B' : 'A';
        return chars.ToString();
    }
}
