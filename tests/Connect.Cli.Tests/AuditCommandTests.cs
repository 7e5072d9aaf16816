using System.Security.Cryptography;
using System.Text.Json;
using Connect.Domain.Accounts;
using Connect.Domain.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

public sealed class AuditCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Fact]
    public async Task Audit_list_shows_each_revoke_all_newest_first_filtered_by_anchor()
    {
        var (account, anchor) = await AccountWithSessionsAsync(3);
        var (_, otherAnchor) = await AccountWithSessionsAsync(1);
        await RevokeAllAsync(account, anchor);
        await RevokeAllAsync(account, anchor);

        var run = await db.RunAsync("audit", "list", "--anchor", anchor);

        var events = run.AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([0, 3], events.Select(audited => audited.GetProperty("revokedCount").GetInt32()));
        Assert.All(events, audited =>
        {
            Assert.Equal(
                ["at", "kind", "anchor", "accountId", "revokedCount"],
                audited.EnumerateObject().Select(property => property.Name));
            Assert.Equal("revoke_all", audited.GetProperty("kind").GetString());
            Assert.Equal(anchor, audited.GetProperty("anchor").GetString());
            Assert.Equal(account, audited.GetProperty("accountId").GetString());
        });
        Assert.DoesNotContain(otherAnchor, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_list_honours_the_limit()
    {
        var (account, anchor) = await AccountWithSessionsAsync(1);
        await RevokeAllAsync(account, anchor);
        await RevokeAllAsync(account, anchor);

        var run = await db.RunAsync("audit", "list", "--anchor", anchor, "--limit", "1");

        Assert.Single(run.AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task Audit_list_for_an_unknown_anchor_fails_with_one_line()
    {
        var run = await db.RunAsync("audit", "list", "--anchor", "nobody-has-this-anchor");

        run.AssertFailed("no application has the anchor");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task Audit_list_with_a_limit_out_of_range_fails_with_one_line(string limit)
    {
        var run = await db.RunAsync("audit", "list", "--limit", limit);

        run.AssertFailed("--limit must be between 1 and 1000");
    }

    private async Task<(string Account, string Anchor)> AccountWithSessionsAsync(int sessions)
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key))).AssertJson(
            ("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        var account = (await db.RunAsync("account", "create"))
            .AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;
        (await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--count", $"{sessions}"))
            .AssertJson(("issued", JsonValueKind.Number), ("sessions", JsonValueKind.Array));
        return (account, anchor);
    }

    private async Task RevokeAllAsync(string account, string anchor)
    {
        var application = (await db.FindApplicationAsync(anchor))!.Id;
        await db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(new AccountId(Guid.Parse(account)), application, CancellationToken.None);
    }
}
