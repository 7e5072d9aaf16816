using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Connect.Cli.Tests;

/// <summary><c>account disable | enable | delete</c> through the real command line, and what they leave in the database.</summary>
public sealed class AccountLifecycleCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    private static readonly (string, JsonValueKind)[] Enabled = [("accountId", JsonValueKind.String), ("enabled", JsonValueKind.False)];

    private static readonly (string, JsonValueKind)[] Deleted =
        [("accountId", JsonValueKind.String), ("deleted", JsonValueKind.True), ("sessionsRevoked", JsonValueKind.Number)];

    [Fact]
    public async Task Disable_and_enable_print_the_state_and_are_audited_without_an_anchor()
    {
        var account = await CreateAccountAsync();

        var disabled = await db.RunAsync("account", "disable", "--account", account);
        var enabled = await db.RunAsync("account", "enable", "--account", account);

        Assert.Equal(account, disabled.AssertJson(Enabled).GetProperty("accountId").GetString());
        Assert.Equal(account, enabled.AssertJson(("accountId", JsonValueKind.String), ("enabled", JsonValueKind.True)).GetProperty("accountId").GetString());
        var events = await AccountEventsAsync(account);
        Assert.Equal(["account_enabled", "account_disabled"], events.Select(audited => audited.GetProperty("kind").GetString()));
        Assert.All(events, audited => Assert.Equal(["at", "kind", "accountId"], audited.EnumerateObject().Select(property => property.Name)));
    }

    [Fact]
    public async Task Session_issue_for_a_disabled_account_is_refused_until_it_is_enabled()
    {
        var anchor = await RegisterAsync();
        var account = await CreateAccountAsync();
        (await db.RunAsync("account", "disable", "--account", account)).AssertJson(Enabled);

        var refused = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor);
        (await db.RunAsync("account", "enable", "--account", account)).AssertJson(("accountId", JsonValueKind.String), ("enabled", JsonValueKind.True));
        var issued = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor);

        refused.AssertFailed($"the account {account} is disabled; enable it first");
        Assert.Equal(1, issued.AssertJson(("issued", JsonValueKind.Number), ("sessions", JsonValueKind.Array)).GetProperty("issued").GetInt32());
        Assert.Equal((1, 0, 0), await CountAsync(account, anchor));
    }

    [Fact]
    public async Task Delete_ends_every_session_in_every_application_removes_subjects_and_is_audited()
    {
        var first = await RegisterAsync();
        var second = await RegisterAsync();
        var account = await CreateAccountAsync();
        await IssueAsync(account, first, 3);
        await IssueAsync(account, second, 2);

        var run = await db.RunAsync("account", "delete", "--account", account);

        var json = run.AssertJson(Deleted);
        Assert.Equal((account, 5), (json.GetProperty("accountId").GetString(), json.GetProperty("sessionsRevoked").GetInt32()));
        Assert.Equal((0, 3, 0), await CountAsync(account, first));
        Assert.Equal((0, 2, 0), await CountAsync(account, second));
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM sector_subjects WHERE account_id = @Account", new { Account = Guid.Parse(account) }));
        var events = await AccountEventsAsync(account);
        Assert.Equal(
            ["account_deleted", "revoke_all", "revoke_all"],
            events.Select(audited => audited.GetProperty("kind").GetString()));
        Assert.Equal(["at", "kind", "accountId", "revokedCount"], events[0].EnumerateObject().Select(property => property.Name));
        Assert.Equal(5, events[0].GetProperty("revokedCount").GetInt32());
        Assert.Equal(
            [(first, 3), (second, 2)],
            events[1..].Select(audited => (audited.GetProperty("anchor").GetString()!, audited.GetProperty("revokedCount").GetInt32()))
                .OrderBy(audited => audited.Item1 == first ? 0 : 1));
    }

    [Fact]
    public async Task Deleted_account_refuses_a_second_delete_enable_disable_and_new_sessions_or_subjects()
    {
        var anchor = await RegisterAsync();
        var account = await CreateAccountAsync();
        (await db.RunAsync("account", "delete", "--account", account)).AssertJson(Deleted);

        var deletedAgain = await db.RunAsync("account", "delete", "--account", account);
        var enabled = await db.RunAsync("account", "enable", "--account", account);
        var disabled = await db.RunAsync("account", "disable", "--account", account);
        var session = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor);
        var subject = await db.RunAsync("subject", "issue", "--account", account, "--anchor", anchor);

        var message = $"the account {account} was deleted and is never brought back";
        foreach (var run in new[] { deletedAgain, enabled, disabled, session, subject })
        {
            run.AssertFailed(message);
        }

        Assert.Equal(["account_deleted"], (await AccountEventsAsync(account)).Select(audited => audited.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("delete")]
    public async Task Unknown_account_is_refused(string command)
    {
        var nobody = Guid.NewGuid().ToString();

        var run = await db.RunAsync("account", command, "--account", nobody);

        run.AssertFailed($"no account has the id {nobody}");
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("delete")]
    public async Task Malformed_or_missing_account_is_a_command_line_error(string command)
    {
        var malformed = await db.RunAsync("account", command, "--account", "42");
        var missing = await db.RunAsync("account", command);

        malformed.AssertFailed("--account must be an id such as", exitCode: 2);
        missing.AssertFailed("--account", exitCode: 2);
    }

    private async Task<string> RegisterAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    private async Task<string> CreateAccountAsync() =>
        (await db.RunAsync("account", "create")).AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;

    private async Task IssueAsync(string account, string anchor, int count) =>
        (await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .AssertJson(("issued", JsonValueKind.Number), ("sessions", JsonValueKind.Array));

    private async Task<(int, int, int)> CountAsync(string account, string anchor)
    {
        var json = (await db.RunAsync("session", "count", "--account", account, "--anchor", anchor))
            .AssertJson(("active", JsonValueKind.Number), ("revoked", JsonValueKind.Number), ("expired", JsonValueKind.Number));
        return (json.GetProperty("active").GetInt32(), json.GetProperty("revoked").GetInt32(), json.GetProperty("expired").GetInt32());
    }

    /// <summary>The audit events naming the account, newest first, from <c>audit list</c> over every application.</summary>
    private async Task<List<JsonElement>> AccountEventsAsync(string account) =>
        [.. (await db.RunAsync("audit", "list", "--limit", "1000")).AssertJson(("events", JsonValueKind.Array))
            .GetProperty("events").EnumerateArray()
            .Where(audited => audited.TryGetProperty("accountId", out var id) && id.GetString() == account)];
}
