using System.Security.Cryptography;
using System.Text.Json;
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
        await db.RevokeAllAsync(account, anchor);
        await db.RevokeAllAsync(account, anchor);

        var run = await db.RunAsync("audit", "list", "--anchor", anchor);

        // The registration is the oldest event: the operator's changes are audited too (docs/contract/sessions.md "Audit").
        var listed = run.AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["revoke_all", "revoke_all", "application_registered"], listed.Select(audited => audited.GetProperty("kind").GetString()));
        var events = listed[..2];
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
    public async Task Audit_list_shows_each_operator_change_to_the_application_and_its_keys_with_its_key()
    {
        var anchor = CliDatabase.NewAnchor();
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        var firstKey = Ok(await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(first))).GetProperty("keyId").GetString()!;
        Ok(await db.RunAsync("app", "disable", "--anchor", anchor));
        Ok(await db.RunAsync("app", "enable", "--anchor", anchor));
        var secondKey = Ok(await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(second))).GetProperty("keyId").GetString()!;
        Ok(await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(second))); // already active: no event
        Ok(await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", firstKey));
        var rotated = Ok(await db.RunAsync("app", "signing-key", "rotate", "--anchor", anchor)).GetProperty("keyId").GetString()!;
        Ok(await db.RunAsync("app", "signing-key", "remove", "--anchor", anchor, "--key-id", rotated));
        (await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", "no-such-key")).AssertFailed("no active key"); // no event

        var run = await db.RunAsync("audit", "list", "--anchor", anchor);

        var events = run.AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(
            [
                ("signing_key_removed", rotated), ("signing_key_rotated", rotated), ("client_key_retired", firstKey),
                ("client_key_added", secondKey), ("application_enabled", null), ("application_disabled", null),
                ("application_registered", firstKey),
            ],
            events.Select(audited => (audited.GetProperty("kind").GetString()!, audited.TryGetProperty("keyId", out var key) ? key.GetString() : null)));
        Assert.All(events, audited =>
        {
            Assert.Equal(anchor, audited.GetProperty("anchor").GetString());
            Assert.Equal(
                audited.TryGetProperty("keyId", out _) ? ["at", "kind", "anchor", "keyId"] : ["at", "kind", "anchor"],
                audited.EnumerateObject().Select(property => property.Name));
        });
    }

    [Fact]
    public async Task Audit_list_names_the_session_a_logout_ended()
    {
        var (account, anchor) = await AccountWithSessionsAsync(1);
        var issued = Ok(await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor))
            .GetProperty("sessions")[0].GetProperty("sessionId").GetString()!;
        await db.Services.GetRequiredService<ISessionStore>()
            .EndAsync(new SessionId(issued), SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);

        var run = await db.RunAsync("audit", "list", "--anchor", anchor, "--limit", "1");

        var logout = Assert.Single(run.AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray());
        Assert.Equal(
            ["at", "kind", "anchor", "accountId", "revokedCount", "sessionId"],
            logout.EnumerateObject().Select(property => property.Name));
        Assert.Equal(("logout", account, 1, issued), (
            logout.GetProperty("kind").GetString(), logout.GetProperty("accountId").GetString(),
            logout.GetProperty("revokedCount").GetInt32(), logout.GetProperty("sessionId").GetString()));
    }

    [Fact]
    public async Task Audit_list_honours_the_limit()
    {
        var (account, anchor) = await AccountWithSessionsAsync(1);
        await db.RevokeAllAsync(account, anchor);
        await db.RevokeAllAsync(account, anchor);

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

    private static JsonElement Ok(CliRun run)
    {
        Assert.True(run.ExitCode == 0, $"connect {string.Join(' ', run.Args)} exited {run.ExitCode}: {run.Stderr}");
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
